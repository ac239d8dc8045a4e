// The four hot endpoints the bench and the profiler load, with the credentials they need.

export interface Http {
  name: string
  goal?: number
  path: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

export const TARGET_NAMES = ['basic_user', 'oauth_me', 'tmail_user', 'innerworld'] as const
export type HotTarget = (typeof TARGET_NAMES)[number]

/** The server as the bench runs it: plain HTTP, demo data, the per-user rate limits off. */
export const MAILFRONT_ENV = {
  MAILFRONT_PORT: '0',
  MAILFRONT_SMTP_PORT: '0',
  MAILFRONT_TLS: 'off',
  MAILFRONT_REQUIRE_HTTPS: 'false',
  MAILFRONT_DEMO: 'on',
  MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
  MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN: '0',
  MAILFRONT_SMTPD_CALLS_PER_MIN: '0',
  MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '0',
}

export const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
  return res.json() as Promise<Record<string, any>>
}

/** The demo data's hot endpoints on a running server (an SMTPD token and a mailbox.org session are made). */
export async function hotEndpoints(url: string): Promise<(Http & { target: HotTarget })[]> {
  const jwt = (
    await post(`${url}/oauth/token?grant_type=password`, '', {
      Authorization: basic('jack.truong@example.com', 'demo-password'),
    })
  ).access_token
  const session = (
    await post(
      `${url}/v1/`,
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'auth',
        params: { user: 'test_account', pass: '123456' },
        id: 1,
      }),
    )
  ).result.session
  return [
    {
      target: 'basic_user',
      name: 'AuthSMTP GET /restful/basic_user/aa12345',
      goal: 0.35,
      path: '/restful/basic_user/aa12345',
      headers: { Authorization: basic('aa12345', 'demo-api-password') },
    },
    {
      target: 'oauth_me',
      name: 'SMTPD GET /oauth/me',
      goal: 0.35,
      path: '/oauth/me',
      headers: { Authorization: `Bearer ${jwt}` },
    },
    {
      target: 'tmail_user',
      name: 'tmail GET /users/toorop@tmail.io',
      goal: 0.35,
      path: '/users/toorop@tmail.io',
      headers: { Authorization: basic('admin', 'admin') },
    },
    {
      target: 'innerworld',
      name: 'mailbox.org hello.innerworld',
      goal: 0.35,
      path: '/v1/',
      method: 'POST',
      headers: { 'HPLS-AUTH': session, 'Content-Type': 'application/json' },
      body: '{"jsonrpc":"2.0","method":"hello.innerworld","params":"","id":"1"}',
    },
  ]
}
