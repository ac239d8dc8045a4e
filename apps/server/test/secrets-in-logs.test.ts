import { encodeBasic } from '@mailfront/core'
import { afterAll, describe, expect, it } from 'vitest'
import { logLines, type ServerProcess, startServer } from './server-process.ts'

// Every plugin's logins, grants, sessions and secret-bearing bodies, right and wrong, against the
// real server at the most verbose log level; then the whole log output (stdout and stderr) is
// searched for every password, token, key secret, session id and Authorization value used.

const SERVER_SECRET = 'server-secret-0f9e8d7c6b5a4938271605f4e3d2c1b0'
const secrets = new Set<string>([SERVER_SECRET])
const note = (...values: (string | undefined)[]) => {
  for (const v of values) if (v && v.length >= 6) secrets.add(v)
}
const basic = (user: string, pass: string) => {
  const h = encodeBasic(user, pass)
  note(pass, h, h.slice('Basic '.length))
  return h
}

let srv: ServerProcess & { dataDir: string }
let requests = 0
afterAll(() => {
  srv?.child.kill('SIGKILL')
})

async function call(path: string, init: RequestInit = {}) {
  requests++
  const res = await fetch(`${srv.url}${path}`, init)
  const text = await res.text()
  try {
    return { status: res.status, json: JSON.parse(text) }
  } catch {
    return { status: res.status, json: null as never, text }
  }
}
const rpc = (method: string, params: unknown, session?: string) => {
  note(session)
  return call('/v1/', {
    method: 'POST',
    headers: session ? { 'HPLS-AUTH': session } : {},
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
  })
}

describe('secrets never reach the logs', () => {
  it('over logins, grants, sessions and secret-bearing bodies of every plugin, right and wrong', async () => {
    srv = await startServer({
      MAILFRONT_LOG_LEVEL: 'trace',
      MAILFRONT_SECRET: SERVER_SECRET,
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
    })

    // AuthSMTP
    for (const pass of ['demo-api-password', 'wrong-api-password'])
      await call('/restful/basic_user/aa12345', { headers: { Authorization: basic('aa12345', pass) } })

    // SMTPD: user and key grants, refresh, a new key and its secret used three ways, revoke.
    const g = (
      await call('/oauth/token?grant_type=password', {
        method: 'POST',
        headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
      })
    ).json
    expect(g.access_token && g.refresh_token).toBeTruthy()
    note(g.access_token, g.refresh_token)
    await call('/oauth/token?grant_type=password', {
      method: 'POST',
      headers: { Authorization: basic('jack.truong@example.com', 'wrong-smtpd-password') },
    })
    await call('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&username=demo-key&password=${encodeURIComponent('demo-secret')}`,
    })
    note('demo-secret')
    const r = (
      await call('/oauth/token?grant_type=refresh_token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${g.access_token}` },
        body: JSON.stringify({ refresh_token: g.refresh_token }),
      })
    ).json
    note(r.access_token)
    const bearer = { Authorization: `Bearer ${g.access_token}`, 'Content-Type': 'application/json' }
    note(bearer.Authorization)
    const key = (
      await call('/api/v1/account/api_key', {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify({ name: 'logged?', role: 'standard' }),
      })
    ).json
    expect(key.Secret).toBeTruthy()
    note(key.Secret, `Bearer ${key.Secret}`)
    await call('/api/v1/account', { headers: { Authorization: `Bearer ${key.Secret}` } })
    await call('/api/v1/account', { headers: { Authorization: basic(key.Secret, '') } })
    await call('/oauth/token?grant_type=password', {
      method: 'POST',
      headers: { Authorization: basic(key.Key, key.Secret) },
    })
    await call('/api/v1/account', { headers: { Authorization: 'Bearer not-a-valid-token-but-secret-ish' } })
    note('not-a-valid-token-but-secret-ish')
    await call('/oauth/revoke', {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ refresh_token: g.refresh_token }),
    })
    await call('/oauth/token?grant_type=refresh_token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: g.refresh_token }),
    })
    await call('/api/v1/account/user', {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        email_address: 'new@example.com',
        password: 'new-user-password-1',
        role: 'standard',
      }),
    })
    note('new-user-password-1')

    // tmail: the admin, right and wrong; a user with a password, a password change, a broken body.
    const tmailAdmin = basic('admin', 'admin-wrong-pass')
    await call('/users', { headers: { Authorization: tmailAdmin } })
    const admin = { Authorization: encodeBasic('admin', 'admin'), 'Content-Type': 'application/json' }
    await call('/users/logs@example.com', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ Passwd: 'tmail-user-password', AuthRelay: true }),
    })
    await call('/users/logs@example.com', {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ Passwd: 'tmail-new-password' }),
    })
    await call('/users/logs@example.com', {
      method: 'PUT',
      headers: admin,
      body: '{"Passwd": "tmail-broken-pass',
    })
    note('tmail-user-password', 'tmail-new-password', 'tmail-broken-pass')

    // mailbox.org: auth right and wrong, a session, passwords in params, app passwords, deauth.
    await rpc('auth', { user: 'demo_admin', pass: 'wrong-admin-pass' })
    note('wrong-admin-pass', 'demo-admin-pass')
    const session = (await rpc('auth', { user: 'demo_admin', pass: 'demo-admin-pass' })).json.result.session
    await rpc(
      'mail.add',
      {
        mail: 'logs@domain2.test',
        password: 'mailbox-password-1',
        plan: 'light',
        first_name: 'L',
        last_name: 'S',
        inboxsave: true,
        forwards: [],
      },
      session,
    )
    await rpc('mail.set', { mail: 'logs@domain2.test', password: 'mailbox-password-2' }, session)
    await rpc('mail.set', { mail: 'logs@domain2.test', password: 7 }, session)
    note('mailbox-password-1', 'mailbox-password-2')
    expect(session).toBeTruthy()
    const app = (await rpc('mail.apppassword.add', { mail: 'logs@domain2.test', memo: 'm' }, session)).json
      .result
    expect(app.password).toBeTruthy()
    note(app.password)
    await rpc('deauth', '', session)
    await rpc('hello.innerworld', '', session)
    await call('/v1/', {
      method: 'POST',
      body: '{"jsonrpc":"2.0","method":"auth","params":{"user":"x","pass":"half-a-secret',
    })
    note('half-a-secret')

    // Stop cleanly: batched log lines are flushed on shutdown.
    srv.child.kill('SIGTERM')
    expect(await srv.exited).toBe(0)
    // The log lines (pino JSON), not the start banner, which prints the demo credentials on purpose.
    const log = logLines(srv.output())
    const lines = log.split('\n').filter((l) => l.includes('"msg":"request"')).length
    expect(lines).toBeGreaterThanOrEqual(requests)
    const found = [...secrets].filter((s) => log.includes(s))
    console.log(
      `secrets: ${requests} requests, ${log.split('\n').length} log lines at level trace, ${secrets.size} secrets searched, ${found.length} found`,
    )
    expect(found).toEqual([])
  }, 60_000)
})
