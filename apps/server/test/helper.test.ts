// Written as a user's own test suite would be: only the public entry point, real HTTP clients.
import { type MailfrontInstance, startMailfront } from '@mailfront/server/testing'
import nodemailer from 'nodemailer'
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

  it('clock.advance() expires a token without sleeping; reset() puts the clock back', async () => {
    // Its own server with the SMTPD demo login.
    const mf = await startMailfront({ plugins: ['smtpd'] })
    try {
      const grant = await fetch(`${mf.url}/oauth/token?grant_type=password`, {
        method: 'POST',
        headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
      })
      const { access_token } = (await grant.json()) as { access_token: string }
      const me = () => fetch(`${mf.url}/oauth/me`, { headers: { Authorization: `Bearer ${access_token}` } })
      expect((await me()).status).toBe(200)
      const before = await mf.clock.now()
      const after = await mf.clock.advance('61m')
      expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(61 * 60_000)
      expect((await me()).status).toBe(401)
      expect((await mf.clock.set('2031-02-03T04:05:06Z')).toISOString().startsWith('2031-02-03T04:05')).toBe(
        true,
      )
      await mf.reset()
      expect(Math.abs((await mf.clock.now()).getTime() - Date.now())).toBeLessThan(60_000)
    } finally {
      await mf.close()
    }
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

describe('startMailfront captures the mail an application sends', () => {
  let mf: MailfrontInstance
  beforeAll(async () => {
    mf = await startMailfront({ plugins: ['authsmtp', 'smtpd'] })
  })
  afterAll(() => mf.close())
  beforeEach(() => mf.reset())

  it('over SMTP on smtpPort: messages() has the envelope, the parsed parts and the raw source', async () => {
    expect(mf.smtpPort).toBeGreaterThan(0)
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: mf.smtpPort,
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    const sent = await transport.sendMail({
      from: 'sales@example.com',
      to: 'customer@example.org',
      subject: 'Your password reset link',
      text: 'Open https://app.example/reset?t=abc123',
      html: '<p>Open <a href="https://app.example/reset?t=abc123">the link</a></p>',
    })
    transport.close()
    expect(sent.accepted).toEqual(['customer@example.org'])
    const [m, ...more] = await mf.messages({ to: 'customer@example.org' })
    expect(more).toEqual([])
    expect(m).toMatchObject({
      plugin: 'authsmtp',
      via: 'smtp',
      envelope: { from: 'sales@example.com', to: ['customer@example.org'] },
      subject: 'Your password reset link',
      from: 'sales@example.com',
      to: 'customer@example.org',
      text: 'Open https://app.example/reset?t=abc123',
      html: '<p>Open <a href="https://app.example/reset?t=abc123">the link</a></p>',
    })
    expect(m!.headers).toContainEqual(['subject', 'Your password reset link'])
    expect(await mf.raw(m!.id)).toMatch(/^[\s\S]*Subject: Your password reset link\r\n[\s\S]*abc123/)
    await mf.reset()
    expect(await mf.messages()).toEqual([])
  })

  it('newest first, filtered by subject, recipient or plugin', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: mf.smtpPort,
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    for (const [to, subject] of [
      ['a@example.org', 'Welcome'],
      ['b@example.org', 'Invoice 42'],
    ])
      await transport.sendMail({ from: 'sales@example.com', to, subject, text: subject })
    transport.close()
    expect((await mf.messages()).map((m) => m.subject)).toEqual(['Invoice 42', 'Welcome'])
    expect((await mf.messages({ subject: 'invoice' })).map((m) => m.envelope.to)).toEqual([['b@example.org']])
    expect((await mf.messages({ to: 'a@example.org' })).map((m) => m.text?.trim())).toEqual(['Welcome'])
    expect((await mf.messages({ limit: 1 })).length).toBe(1)
    expect(await mf.messages({ plugin: 'smtpd' })).toEqual([])
  })
})
