import { encodeBasic, type MailfrontPlugin, silentLogger } from '@mailfront/core'
import { CompositionError } from '@mailfront/core/host'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientHostnames, publicHostnames } from './client-hosts.ts'
import { loadConfig } from './config.ts'
import { installedPlugins } from './registry.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

const auth = { Authorization: encodeBasic('aa12345', 'demo-api-password') }
const at = (host: string, path: string, init: RequestInit = {}) =>
  new Request(`https://${host}${path}`, { ...init, headers: { ...auth, ...(init.headers as object) } })

describe("the providers' public hostnames", () => {
  it('each plugin declares its own (tmail, self-hosted, none)', () => {
    expect(Object.fromEntries(publicHostnames(installedPlugins()))).toEqual({
      'secure.authsmtp.com': 'authsmtp',
      'api.smtpd.dev': 'smtpd',
      'api.mailbox.org': 'mailboxorg',
    })
    expect(installedPlugins().find((p) => p.id === 'tmail')!.http.hostnames).toBeUndefined()
  })

  it('clientHostnames adds the configured MAILFRONT_<PLUGIN>_HOSTNAMEs of the mounted plugins, without port', () => {
    const [authsmtp, tmail] = ['authsmtp', 'tmail'].map((id) => installedPlugins().find((p) => p.id === id)!)
    expect(clientHostnames([authsmtp!, tmail!], { tmail: 'tmail.test:8443', smtpd: 'not.mounted' })).toEqual([
      'secure.authsmtp.com',
      'tmail.test',
    ])
  })

  it('refuses a name two plugins claim, or one that is not a lower-case DNS name', () => {
    const p = (id: string, hostnames: string[]) => ({ id, http: { hostnames } }) as unknown as MailfrontPlugin
    expect(() => publicHostnames([p('a', ['api.x.test']), p('b', ['api.x.test'])])).toThrow(
      new CompositionError('hostname api.x.test claimed by plugins "a" and "b"'),
    )
    expect(() => publicHostnames([p('a', ['api.x.test'])], { b: 'api.x.test:443' })).toThrow(
      /claimed by plugins "b" and "a"/,
    )
    expect(() => publicHostnames([p('a', ['API.x.test'])])).toThrow(/must be a lower-case DNS name/)
  })
})

describe('requests to a public hostname reach its plugin at its native paths', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: 'memory:',
        MAILFRONT_SECRET: 'x'.repeat(40),
        MAILFRONT_DEMO: 'on',
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
        // Mounted elsewhere too: under a prefix, and on a configured host.
        MAILFRONT_AUTHSMTP_PREFIX: '/authsmtp',
        MAILFRONT_SMTPD_HOSTNAME: 'smtpd.internal',
      }),
      silentLogger,
    )
    await loadStartupFixtures(rt)
  })
  afterAll(() => rt.close())

  it('with or without a port, whatever the prefix', async () => {
    for (const host of ['secure.authsmtp.com', 'secure.authsmtp.com:443', 'SECURE.AUTHSMTP.COM:8080']) {
      const res = await rt.app.request(at(host, '/restful/basic_user/aa12345'))
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('<messages_limit>1000</messages_limit>')
    }
    // The prefix still works; the native path on another host is not AuthSMTP's there.
    expect((await rt.app.request(at('127.0.0.1', '/authsmtp/restful/basic_user/aa12345'))).status).toBe(200)
    expect((await rt.app.request(at('127.0.0.1', '/restful/basic_user/aa12345'))).status).toBe(404)
  })

  it('beside a configured hostname, in the provider format', async () => {
    for (const host of ['api.smtpd.dev', 'smtpd.internal']) {
      const res = await rt.app.request(at(host, '/oauth/me'))
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ code: 40101, message: 'Missing or invalid bearer token' })
    }
  })

  it("mailfront's own routes answer there too; another plugin's paths do not", async () => {
    expect((await rt.app.request(at('api.mailbox.org', '/healthz'))).status).toBe(200)
    expect((await rt.app.request(at('api.mailbox.org', '/oauth/me'))).status).toBe(404)
    const rpc = await rt.app.request(at('api.mailbox.org', '/v1/'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'hello.world', params: {}, id: 1 }),
    })
    expect(await rpc.json()).toEqual({ jsonrpc: '2.0', result: 'Hello World!', id: 1 })
  })
})
