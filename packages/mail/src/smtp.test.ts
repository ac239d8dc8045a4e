import { MailRejection, memoryAdapter, type SmtpAuth } from '@mailfront/core'
import nodemailer from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { nested, wide } from '../test/mime-samples.ts'
import { mailModels } from './models.ts'
import { createMailPipeline } from './service.ts'
import { createSmtpListener, headerFromOf, type SmtpLoginThrottle } from './smtp.ts'

// The listener with nodemailer as the client, over loopback without TLS (allowed from loopback);
// STARTTLS and the non-loopback rule are covered end to end in apps/server/test/smtp-e2e.test.ts.

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
})

const source = (over: Partial<SmtpAuth> = {}): SmtpAuth => ({
  hasLogin: async (login) => login === 'user',
  async authenticate(login, password) {
    return login === 'user' && password === 'secret' ? { principal: 'p1' } : null
  },
  ...over,
})

async function start(opts: { auth?: SmtpAuth; maxSize?: number; throttle?: SmtpLoginThrottle } = {}) {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const mail = createMailPipeline({ storage })
  const l = createSmtpListener({
    mail,
    sources: [
      { plugin: 'other', auth: { hasLogin: async () => false, authenticate: async () => null } },
      { plugin: 'test', auth: opts.auth ?? source() },
    ],
    maxSize: opts.maxSize ?? 10_000,
    maxClientsPerAddress: 5,
    maxRecipients: 2,
    hostname: 'mx.test',
    ...(opts.throttle ? { throttle: opts.throttle } : {}),
  })
  const port = await l.listen(0, '127.0.0.1')
  stops.push(() => l.close())
  const client = (user = 'user', pass = 'secret') =>
    nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, auth: { user, pass } })
  return { mail, port, client }
}

const msg = (extra: Record<string, unknown> = {}) => ({
  envelope: { from: 'a@example.com', to: ['b@example.org'] },
  from: 'A <a@example.com>',
  to: 'b@example.org',
  subject: 'hi',
  text: 'hello',
  ...extra,
})

describe('SMTP listener', () => {
  it('accepts an authenticated message, durable before the 250, with the plugin that knew the login', async () => {
    const { mail, client } = await start()
    const info = await client().sendMail(msg())
    const id = /queued as ([0-9a-f]{40})$/.exec(info.response)![1]!
    const m = (await mail.get(id))!
    expect(m).toMatchObject({
      plugin: 'test',
      principal: 'p1',
      via: 'smtp',
      clientAddress: '127.0.0.1',
      envelope: { from: 'a@example.com', to: ['b@example.org'] },
      subject: 'hi',
    })
    expect(Buffer.from((await mail.raw(id))!).toString()).toContain('hello')
  })

  it('refuses a wrong login with 535, the same for every reason', async () => {
    const { client } = await start()
    for (const [u, p] of [
      ['user', 'wrong'],
      ['nobody', 'secret'],
    ])
      await expect(client(u, p).verify()).rejects.toMatchObject({
        responseCode: 535,
        response: '535 5.7.8 Authentication credentials invalid',
      })
  })

  it('answers a throttled login with 454 and never checks it', async () => {
    let checked = 0
    const { client } = await start({
      auth: source({
        authenticate: async () => {
          checked++
          return null
        },
      }),
      throttle: { attempt: async () => ({ status: 'refused', retryAfterS: 42 }) },
    })
    await expect(client().verify()).rejects.toMatchObject({
      responseCode: 454,
      response: '454 4.7.0 Too many failed logins, try again in 42 seconds',
    })
    expect(checked).toBe(0)
  })

  it("turns the plugin's refusals into replies, at MAIL FROM and after DATA", async () => {
    const seen: { size: number; headerFrom?: string[]; to: string[] }[] = []
    const { client, mail } = await start({
      auth: source({
        async checkSubmit(_p, { envelope, size, headerFrom }) {
          seen.push({ size, to: envelope.to, ...(headerFrom ? { headerFrom } : {}) })
          if (envelope.from === 'blocked@example.com') throw new MailRejection(553, '5.7.1 not your address')
          if (size > 500) throw new MailRejection(552, '5.2.2 over your quota')
        },
      }),
    })
    await expect(
      client().sendMail(msg({ envelope: { from: 'blocked@example.com', to: ['b@example.org'] } })),
    ).rejects.toMatchObject({ responseCode: 553, response: '553 5.7.1 not your address' })
    await expect(client().sendMail(msg({ text: 'x'.repeat(600) }))).rejects.toMatchObject({
      responseCode: 552,
      response: '552 5.2.2 over your quota',
    })
    expect(seen.at(-1)).toMatchObject({ to: ['b@example.org'], headerFrom: ['a@example.com'] })
    expect(seen.at(-1)!.size).toBeGreaterThan(600)
    expect(await mail.list()).toEqual([])
  })

  it('keeps an accepted message when the usage accounting fails', async () => {
    const { client, mail } = await start({
      auth: source({
        accepted: async () => {
          throw new Error('accounting down')
        },
      }),
    })
    const info = await client().sendMail(msg())
    expect(info.response).toMatch(/^250 /)
    expect(await mail.list()).toHaveLength(1)
  })

  it('enforces SIZE, the recipient limit and recipient syntax', async () => {
    const { client } = await start({ maxSize: 2000 })
    await expect(client().sendMail(msg({ text: 'y'.repeat(3000) }))).rejects.toMatchObject({
      responseCode: 552,
      response: '552 5.3.4 Message too big: the limit is 2000 bytes',
    })
    // nodemailer sends to the recipients the server took and reports the others.
    const partial = await client().sendMail(
      msg({ envelope: { from: 'a@example.com', to: ['1@x.org', '2@x.org', '3@x.org'] } }),
    )
    expect(partial.accepted).toEqual(['1@x.org', '2@x.org'])
    expect(partial.rejected).toEqual(['3@x.org'])
    expect(partial.rejectedErrors![0]).toMatchObject({
      responseCode: 452,
      response: '452 4.5.3 Too many recipients (at most 2 per message)',
    })
    const bad = await client()
      .sendMail(msg({ envelope: { from: 'a@example.com', to: ['not-an-address'] } }))
      .catch((e) => e)
    // smtp-server's own syntax check answers first (the listener's 553 is a backstop).
    expect(bad.rejectedErrors?.[0] ?? bad).toMatchObject({
      responseCode: 501,
      response: '501 Error: Bad recipient address syntax',
    })
  })

  it('refuses a MIME structure past the bounds with 554 5.6.0 and stores nothing: 2,000 levels, 1,001 parts', async () => {
    const { client, mail } = await start({ maxSize: 1_000_000 })
    const raw = (body: string) => ({ envelope: { from: 'a@example.com', to: ['b@example.org'] }, raw: body })
    await expect(client().sendMail(raw(nested(2000)))).rejects.toMatchObject({
      responseCode: 554,
      response: '554 5.6.0 Message structure refused: MIME nesting deeper than 32 levels',
    })
    await expect(client().sendMail(raw(wide(1000)))).rejects.toMatchObject({
      responseCode: 554,
      response: '554 5.6.0 Message structure refused: more than 1000 MIME parts',
    })
    expect(await mail.list()).toEqual([])
    // At the bounds: accepted.
    expect((await client().sendMail(raw(nested(32)))).response).toMatch(/^250 /)
    expect((await client().sendMail(raw(wide(999)))).response).toMatch(/^250 /)
    expect(await mail.list()).toHaveLength(2)
  })

  it('answers 451 when the store fails, never a success', async () => {
    const { client, mail } = await start()
    mail.submit = async () => {
      throw new Error('disk full')
    }
    await expect(client().sendMail(msg())).rejects.toMatchObject({
      responseCode: 451,
      response: '451 4.3.0 Local error, try again later',
    })
  })
})

describe('headerFromOf', () => {
  it('reads every address of the From header, folded or grouped', () => {
    const raw = Buffer.from(
      'Subject: x\r\nFrom: "Doe, J" <j@example.com>,\r\n b@example.org\r\nTo: c@example.net\r\n\r\nFrom: not@header.example\r\n',
    )
    expect(headerFromOf(raw)).toEqual(['j@example.com', 'b@example.org'])
    expect(headerFromOf(Buffer.from('Subject: none\r\n\r\nbody'))).toEqual([])
  })
})
