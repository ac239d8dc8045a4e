import { encodeBasic, tryDemo } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest } from '@mailfront/core/testing'
import { describe, expect, it } from 'vitest'
import { demo } from './demo.ts'
import { fixtures } from './fixtures.ts'
import { authsmtpPlugin } from './index.ts'

// The banner's try lines: the first curl is limited to one request per 20 s, and they say so.

async function demoApp(options: Record<string, string> = {}) {
  const ctx = createTestContext({ options: envOptions(authsmtpPlugin(), options) })
  const { app } = await mountPluginForTest(authsmtpPlugin(), ctx)
  await fixtures.load(ctx, fixtures.schema.parse(structuredClone(demo.data)))
  return { ctx, app }
}
const firstCurl = { headers: { Authorization: encodeBasic('aa12345', 'demo-api-password') } }

describe('the demo banner', () => {
  const lines = tryDemo(demo, 'https://127.0.0.1:8080', true)

  it('says the first curl is limited to one request per 20 s and shows how to turn it off', () => {
    expect(lines[0]).toBe(
      'curl -k -u aa12345:demo-api-password https://127.0.0.1:8080/restful/basic_user/aa12345',
    )
    expect(lines[1]).toBe(
      '  one request per user per 20 s, as the real API (a repeat answers error code 1); for local testing start with MAILFRONT_AUTHSMTP_RATE_WINDOW_S=0',
    )
  })

  it('is right: the repeat within 20 s answers code 1, and with the window 0 it does not', async () => {
    const limited = await demoApp()
    expect(await (await limited.app.request('/restful/basic_user/aa12345', firstCurl)).text()).toContain(
      '<basic_user>',
    )
    limited.ctx.clock.advance(19_999)
    expect(await (await limited.app.request('/restful/basic_user/aa12345', firstCurl)).text()).toContain(
      '<code>1</code>',
    )
    // The variable the banner names is the option's: MAILFRONT_AUTHSMTP_ + rate_window_s.
    const env = 'MAILFRONT_AUTHSMTP_RATE_WINDOW_S'
    expect(lines[1]).toContain(`${env}=0`)
    const open = await demoApp({ [env.slice('MAILFRONT_AUTHSMTP_'.length).toLowerCase()]: '0' })
    for (let i = 0; i < 3; i++)
      expect(await (await open.app.request('/restful/basic_user/aa12345', firstCurl)).text()).toContain(
        '<basic_user>',
      )
  })
})
