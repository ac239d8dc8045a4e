import { silentLogger } from '@mailfront/core'
import nodemailer from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { startSink } from '../../test/smtp-sink.ts'
import { ConfigError, loadConfig } from '../config.ts'
import { createRuntime, type Runtime } from '../runtime.ts'
import { startMailfront } from '../testing.ts'

let rt: Runtime | undefined
let sink: Awaited<ReturnType<typeof startSink>> | undefined
afterEach(async () => {
  await rt?.close()
  await sink?.close()
  rt = sink = undefined
})

async function withRelease(
  allow: string | undefined,
  answer: (rcpt: string) => [number, string] | undefined = () => undefined,
) {
  sink = await startSink(answer)
  rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'off',
      MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      ...(allow ? { MAILFRONT_MAIL_RELEASE_ALLOW: allow } : {}),
    }),
    silentLogger,
    { inProcessIsLocal: true },
  )
  const m = await rt.mail.submit({
    envelope: { from: 'app@example.com', to: ['dev@allowed.test', 'boss@elsewhere.test'] },
    raw: Buffer.from('From: app@example.com\r\nSubject: Release me\r\n\r\nHello\r\n'),
    plugin: 'smtpd',
    via: 'smtp',
  })
  const release = async (body?: unknown) => {
    const res = await rt!.app.request(`/_mailfront/messages/${m.id}/release`, {
      method: 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    })
    return { status: res.status, body: await res.json() }
  }
  return { id: m.id, release }
}

describe('POST /_mailfront/messages/<id>/release', () => {
  it('is off without MAILFRONT_MAIL_RELEASE_ALLOW', async () => {
    const { release } = await withRelease(undefined)
    expect(await release({ to: ['dev@allowed.test'] })).toEqual({
      status: 403,
      body: { error: 'release is off: set MAILFRONT_MAIL_RELEASE_ALLOW (and a relay URL)' },
    })
    expect(sink!.received).toEqual([])
  })

  it('refuses recipients the allow list does not name, sending to none of them', async () => {
    const { release } = await withRelease('allowed.test, ops@example.net')
    // The envelope's recipients by default: one of them is not allowed.
    expect(await release()).toEqual({
      status: 403,
      body: {
        error: 'not allowed by MAILFRONT_MAIL_RELEASE_ALLOW: boss@elsewhere.test',
        refused: ['boss@elsewhere.test'],
      },
    })
    expect(await release({ to: ['x@sub.allowed.test', 'ops@example.net'] })).toMatchObject({ status: 403 })
    expect((await release({ to: ['not an address'] })).status).toBe(400)
    expect((await release({ to: 'dev@allowed.test' })).status).toBe(400)
    expect(sink!.received).toEqual([])
  })

  it('sends once, to given allowed addresses, through the relay; a second release is 409', async () => {
    const { id, release } = await withRelease('allowed.test,ops@example.net')
    const r = await release({ to: ['dev@allowed.test', 'OPS@example.net'] })
    expect(r.status).toBe(200)
    expect(r.body.released.to).toEqual(['dev@allowed.test', 'OPS@example.net'])
    expect(r.body.results.map((x: { kind: string }) => x.kind)).toEqual(['delivered', 'delivered'])
    expect(r.body.failed).toEqual([])
    expect(sink!.received.map((x) => [x.from, x.to])).toEqual([
      ['app@example.com', ['dev@allowed.test']],
      ['app@example.com', ['OPS@example.net']],
    ])
    expect(sink!.received[0]!.raw).toContain('Subject: Release me')
    expect(await release({ to: ['dev@allowed.test'] })).toEqual({
      status: 409,
      body: { error: `message ${id} was already released` },
    })
    expect(sink!.received).toHaveLength(2)
    // The message says so.
    const m = await (await rt!.app.request(`/_mailfront/messages/${id}`)).json()
    expect(m.released).toEqual({ at: r.body.released.at, to: ['dev@allowed.test', 'OPS@example.net'] })
    expect((await rt!.app.request('/_mailfront/messages/nope/release', { method: 'POST' })).status).toBe(404)
  })

  it('sends once per address, and records only the recipients the relay took', async () => {
    const { id, release } = await withRelease('allowed.test', (rcpt) =>
      rcpt === 'gone@allowed.test' ? [550, 'no such mailbox'] : undefined,
    )
    const r = await release({ to: ['dev@allowed.test', 'DEV@allowed.test', 'gone@allowed.test'] })
    expect(r.status).toBe(200)
    expect(r.body.released.to).toEqual(['dev@allowed.test'])
    expect(r.body.failed).toEqual([
      { recipient: 'gone@allowed.test', kind: 'permanent', response: expect.stringContaining('550') },
    ])
    expect(sink!.received.map((x) => x.to)).toEqual([['dev@allowed.test']])
    const m = await (await rt!.app.request(`/_mailfront/messages/${id}`)).json()
    expect(m.released).toEqual({ at: r.body.released.at, to: ['dev@allowed.test'] })
  })

  it('gives the claim back when the relay takes nobody', async () => {
    const { id, release } = await withRelease('allowed.test')
    await sink!.close()
    const failed = await release({ to: ['dev@allowed.test'] })
    expect(failed.status).toBe(502)
    expect(failed.body.results[0]).toMatchObject({ recipient: 'dev@allowed.test', kind: 'temporary' })
    // Not released: a later call (the relay back) may try again.
    expect((await (await rt!.app.request(`/_mailfront/messages/${id}`)).json()).released).toBeUndefined()
    expect((await release({ to: ['dev@allowed.test'] })).status).toBe(502)
    sink = await startSink(() => undefined)
  })
})

describe('release configuration', () => {
  it('needs a relay URL and lists of domains or addresses', () => {
    expect(() => loadConfig({ MAILFRONT_MAIL_RELEASE_ALLOW: 'example.com' })).toThrow(
      new ConfigError(
        'MAILFRONT_MAIL_RELEASE_ALLOW needs MAILFRONT_MAIL_RELAY_URL (where released mail goes) (got "example.com")',
      ),
    )
    expect(() =>
      loadConfig({ MAILFRONT_MAIL_RELEASE_ALLOW: 'localhost', MAILFRONT_MAIL_RELAY_URL: 'smtp://h' }),
    ).toThrow(/MAILFRONT_MAIL_RELEASE_ALLOW must list domains/)
    expect(
      loadConfig({
        MAILFRONT_MAIL_RELEASE_ALLOW: 'Example.com @b.org a@c.io',
        MAILFRONT_MAIL_RELAY_URL: 'smtp://h',
      }).mail.releaseAllow,
    ).toEqual(['example.com', 'b.org', 'a@c.io'])
  })
})

describe('MAILFRONT_SMTP_AUTH=any (capture anything)', () => {
  it('takes mail with no login, or any login, from any sender, and captures it', async () => {
    const mf = await startMailfront({ fixtures: false, env: { MAILFRONT_SMTP_AUTH: 'any' } })
    try {
      const send = (auth?: { user: string; pass: string }) =>
        nodemailer
          .createTransport({ host: '127.0.0.1', port: mf.smtpPort, ...(auth ? { auth } : {}) })
          .sendMail({
            from: 'whoever@anywhere.test',
            to: 'x@y.test',
            subject: auth ? 'with login' : 'no login',
            text: 'hi',
          })
      await send()
      await send({ user: 'made-up', pass: 'wrong' })
      const got = await mf.messages()
      expect(got.map((m) => [m.subject, m.plugin, m.principal])).toEqual([
        ['with login', 'smtp', 'made-up'],
        ['no login', 'smtp', undefined],
      ])
    } finally {
      await mf.close()
    }
  })

  it('is refused with relay delivery, and with an unknown mode', () => {
    expect(() =>
      loadConfig({
        MAILFRONT_SMTP_AUTH: 'any',
        MAILFRONT_MAIL_DELIVERY: 'relay',
        MAILFRONT_MAIL_RELAY_URL: 'smtp://h',
      }),
    ).toThrow(
      new ConfigError(
        'MAILFRONT_SMTP_AUTH=any captures only: it is never allowed with MAILFRONT_MAIL_DELIVERY=relay (got "any")',
      ),
    )
    expect(() => loadConfig({ MAILFRONT_SMTP_AUTH: 'anyone' })).toThrow(
      'MAILFRONT_SMTP_AUTH must be accounts or any (got "anyone")',
    )
    expect(loadConfig({}).smtp.auth).toBe('accounts')
  })
})
