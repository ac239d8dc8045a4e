// Written as a user's own test suite would be: only the public entry point, real HTTP clients.
import { type MailfrontInstance, startMailfront } from '@mailfront/server/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

describe('startMailfront, as a test suite uses it', () => {
  let mf: MailfrontInstance
  beforeAll(async () => {
    mf = await startMailfront({
      plugins: ['tmail', 'smtpd'],
      fixtures: { tmail: { users: [{ Login: 'alice@example.net', Passwd: 'alice-password' }] } },
      env: { MAILFRONT_TMAIL_ADMIN_LOGIN: 'admin', MAILFRONT_TMAIL_ADMIN_PASSWORD: 'admin-password' },
    })
  })
  afterAll(() => mf.close())
  beforeEach(() => mf.reset())

  const tmail = (path: string, init: RequestInit = {}) =>
    fetch(`${mf.url}${path}`, {
      ...init,
      headers: { Authorization: basic('admin', 'admin-password'), ...init.headers },
    })

  it('listens on a free loopback port over plain HTTP, with the given fixtures', async () => {
    expect(mf.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await tmail('/users/alice@example.net')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { Login: string }).Login).toBe('alice@example.net')
  })

  it('reset() forgets what a test created and brings the fixtures back', async () => {
    expect(
      (await tmail('/users/bob@example.net', { method: 'POST', body: '{"Passwd":"bob-password"}' })).status,
    ).toBe(201)
    expect((await tmail('/users/alice@example.net', { method: 'DELETE' })).status).toBe(200)
    await mf.reset()
    expect((await tmail('/users/bob@example.net')).status).toBe(404)
    expect((await tmail('/users/alice@example.net')).status).toBe(200)
  })

  it('requests() shows what the application sent, secrets redacted', async () => {
    await tmail('/users/carol@example.net', { method: 'POST', body: '{"Passwd":"carol-password"}' })
    const [req] = await mf.requests({ plugin: 'tmail', method: 'POST' })
    expect(req).toMatchObject({ path: '/users/carol@example.net', route: '/users/:login', status: 201 })
    expect(req!.request.body.text).toBe('{"Passwd":"[redacted]"}')
    expect(req!.request.headers.authorization).toBe('[redacted]')
  })

  it('fault() makes the provider fail in its own format', async () => {
    await mf.fault({ plugin: 'smtpd', error: 'RATE_LIMITED', count: 1 })
    const limited = await fetch(`${mf.url}/api/v1/billing/plan`)
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ code: 42901, message: 'Too many requests' })
    expect((await fetch(`${mf.url}/api/v1/billing/plan`)).status).toBe(200)
  })

  it('mounts only the plugins asked for', async () => {
    expect((await fetch(`${mf.url}/restful/basic_user/aa12345`)).status).toBe(404)
  })
})

describe('startMailfront on SQLite with the demo data', () => {
  it('starts, serves the demo and closes', async () => {
    const mf = await startMailfront({ store: 'sqlite', env: { MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0' } })
    try {
      const res = await fetch(`${mf.url}/restful/basic_user/aa12345`, {
        headers: { Authorization: basic('aa12345', 'demo-api-password') },
      })
      expect(res.status).toBe(200)
      await mf.reset()
      expect((await mf.requests()).length).toBe(0)
    } finally {
      await mf.close()
    }
  })
})
