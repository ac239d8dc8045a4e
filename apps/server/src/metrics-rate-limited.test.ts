import { encodeBasic } from '@mailfront/core'
import { afterEach, describe, expect, it } from 'vitest'
import { runtime } from '../test/demo-runtime.ts'
import type { Runtime } from './runtime.ts'

// One refused request, one count in mailfront_rate_limited_total: for each way SMTPD refuses for a
// rate (the login throttle, the API call limit, the form-post limits), and for AuthSMTP's call limit
// and mailbox.org's session-call limit (JSON-RPC, answered 200 with an error) for comparison.

let rt: Runtime | undefined
afterEach(async () => {
  await rt?.close()
  rt = undefined
})

const refusals = async (plugin: string) => {
  const text = await (await rt!.app.request('/metrics')).text()
  const m = new RegExp(`^mailfront_rate_limited_total\\{plugin="${plugin}"\\} (\\d+)$`, 'm').exec(text)
  return m ? Number(m[1]) : 0
}
const JACK = encodeBasic('jack.truong@example.com', 'demo-password')
const token = async () => {
  const r = await rt!.app.request('/oauth/token?grant_type=password', {
    method: 'POST',
    headers: { Authorization: JACK },
  })
  expect(r.status).toBe(200)
  return ((await r.json()) as { access_token: string }).access_token
}

describe('mailfront_rate_limited_total counts each refused request once', () => {
  it('SMTPD login throttle: failures until one 429, counted 1', async () => {
    rt = await runtime()
    const wrong = () =>
      rt!.app.request('/oauth/token?grant_type=password', {
        method: 'POST',
        headers: { Authorization: encodeBasic('jack.truong@example.com', 'wrong') },
      })
    const statuses: number[] = []
    while (!statuses.includes(429) && statuses.length < 100) statuses.push((await wrong()).status)
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.slice(0, -1).every((s) => s === 403)).toBe(true)
    expect(await refusals('smtpd')).toBe(1)
  })

  it('SMTPD API call limit: the second call in the minute is refused, counted 1', async () => {
    rt = await runtime({ MAILFRONT_SMTPD_CALLS_PER_MIN: '1' })
    const bearer = { headers: { Authorization: `Bearer ${await token()}` } }
    expect((await rt.app.request('/api/v1/email/send', bearer)).status).toBe(200)
    expect(await refusals('smtpd')).toBe(0)
    const refused = await rt.app.request('/api/v1/email/send', bearer)
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as { code: number }).code).toBe(42901)
    expect(await refusals('smtpd')).toBe(1)
  })

  it('SMTPD form posts: the second post from one address is refused, counted 1', async () => {
    rt = await runtime({
      MAILFRONT_SMTPD_FORM_POSTS_PER_ADDRESS: '1',
    })
    const created = await rt.app.request('/api/v1/email/form', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        form_name: 'Counted',
        link_domain: 'click.example.com',
        notification_email_address: 'sales@example.com',
        required_fields: [],
        default_redirect: 'https://example.com/',
        success_redirect: 'https://example.com/ok',
        failure_redirect: 'https://example.com/no',
        tags: [],
        enable_email_notification: false,
      }),
    })
    const { form_key } = (await created.json()) as { form_key: string }
    // In process, every post comes from the same (local) client address.
    const post = async () => (await rt!.app.request(`/f/${form_key}`, { method: 'POST', body: 'x=1' })).status
    expect(await post()).toBe(303)
    expect(await post()).toBe(429)
    expect(await refusals('smtpd')).toBe(1)
  })

  it('AuthSMTP API call limit (an XML error, status 200): counted 1', async () => {
    rt = await runtime({ MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '20' })
    const auth = { headers: { Authorization: encodeBasic('aa12345', 'demo-api-password') } }
    expect(await (await rt.app.request('/restful/basic_user/aa12345', auth)).text()).toContain('<basic_user>')
    expect(await (await rt.app.request('/restful/basic_user/aa12345', auth)).text()).toContain(
      '<code>1</code>',
    )
    expect(await refusals('authsmtp')).toBe(1)
  })

  it('mailbox.org session calls (a JSON-RPC error): counted 1', async () => {
    rt = await runtime({ MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN: '1' })
    const rpc = async (method: string, session?: string) =>
      (await (
        await rt!.app.request('/v1/', {
          method: 'POST',
          headers: session ? { 'HPLS-AUTH': session } : {},
          body: JSON.stringify({
            jsonrpc: '2.0',
            method,
            id: 1,
            ...(session ? {} : { params: { user: 'test_account', pass: '123456' } }),
          }),
        })
      ).json()) as { result?: { session: string }; error?: { code: number } }
    const session = (await rpc('auth')).result!.session
    expect((await rpc('hello.innerworld', session)).error).toBeUndefined()
    expect((await rpc('hello.innerworld', session)).error).toBeDefined()
    expect(await refusals('mailboxorg')).toBe(1)
  })
})
