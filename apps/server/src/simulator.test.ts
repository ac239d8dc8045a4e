import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processQueue } from '@mailfront/plugin-tmail'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from '../test/until.ts'
import { loadConfig } from './config.ts'
import { createLogger } from './log.ts'
import { type Running, serve } from './serve.ts'

// Simulator addresses through the real server: nodemailer on the SMTP port and SMTPD's send API,
// relay delivery to a port where nobody listens (so anything relayed would be deferred with
// "connection refused": simulator mail never is), the movable clock moved through the admin API and
// the server's own worker doing the retries. Each provider's API is asked what it shows afterwards.

const SIM = 'simulator.mailfront.test'
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

let srv: Running
const dataDir = mkdtempSync(join(tmpdir(), 'mf-simulator-'))
beforeAll(async () => {
  const config = loadConfig({
    MAILFRONT_HOST: '127.0.0.1',
    MAILFRONT_PORT: '0',
    MAILFRONT_TLS: 'off',
    MAILFRONT_DATA_DIR: dataDir,
    MAILFRONT_DATABASE_URL: 'memory:',
    MAILFRONT_SECRET: 's'.repeat(40),
    MAILFRONT_DEMO: 'on',
    MAILFRONT_SMTP_PORT: '0',
    MAILFRONT_CLOCK: 'movable',
    MAILFRONT_MAIL_DELIVERY: 'relay',
    MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${await closedPort()}`,
    MAILFRONT_MAIL_MAX_ATTEMPTS: '3',
    MAILFRONT_MAIL_SIMULATOR_SLOW: '1m',
    MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
    // tmail's queue processor is run by hand below.
    MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '0',
  })
  srv = await serve(
    config,
    createLogger('silent'),
    () => undefined,
    {},
    () => undefined,
  )
})
afterAll(async () => {
  await srv.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const api = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${srv.url}${path}`, init)
  const text = await res.text()
  return { status: res.status, body: text.startsWith('<') ? text : JSON.parse(text) }
}
const moveClock = async (advance: string) =>
  expect(
    (
      await api('/_mailfront/clock', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ advance }),
      })
    ).status,
  ).toBe(200)

interface Recipient {
  recipient: string
  state: string
  attempts: number
  lastResponse: string | null
}
const recipientsOf = async (id: string): Promise<Recipient[]> =>
  (await api(`/_mailfront/messages/${id}`)).body.recipients

const stateOf = (id: string, want: string, attempts?: number) =>
  until(
    `${id} ${want}`,
    async () => (await recipientsOf(id))[0]!,
    (r) => r.state === want && (attempts === undefined || r.attempts === attempts),
  )

/** The DSNs to `to`, newest first. */
const dsnsTo = async (to: string) =>
  (
    (await api(`/_mailfront/messages?to=${encodeURIComponent(to)}`)).body.messages as {
      id: string
      via: string
      envelope: { from: string; to: string[] }
    }[]
  ).filter((m) => m.via === 'dsn')

const smtp = (user: string, pass: string) =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port: srv.smtp!.port,
    auth: { user, pass },
    ignoreTLS: true,
  })
const queuedId = (response: string) => /queued as ([0-9a-f]{40})/.exec(response)![1]!

/** AuthSMTP's counters, as its monitoring clients read them (lines 9 and 10). */
async function authsmtpCounters() {
  const xml = (
    await api('/restful/basic_user/aa12345', {
      headers: { Authorization: basic('aa12345', 'demo-api-password') },
    })
  ).body as string
  const lines = xml.split('\n')
  return { messages: Number(/\d+/.exec(lines[9]!)![0]), data: Number(/\d+/.exec(lines[10]!)![0]) }
}

describe('simulator addresses on the SMTP port (nodemailer, an AuthSMTP login)', () => {
  const client = () => smtp('aa12345', 'demo-smtp-password')
  const sendTo = (to: string) =>
    client().sendMail({ from: 'sales@example.com', to, subject: `to ${to}`, text: 'Hello' })

  it('delivered@: delivered at once, never relayed; AuthSMTP counts the message', async () => {
    const before = await authsmtpCounters()
    const info = await sendTo(`delivered@${SIM}`)
    const r = await stateOf(queuedId(info.response), 'delivered', 1)
    expect(r.lastResponse).toBe(`250 2.0.0 <delivered@${SIM}>: delivered (mailfront simulator)`)
    const after = await authsmtpCounters()
    expect(after.messages).toBe(before.messages + 1)
    expect(after.data).toBeGreaterThan(before.data)
  })

  it('bounce@: bounced with a DSN to the sender; AuthSMTP still counts what it accepted', async () => {
    const before = await authsmtpCounters()
    const info = await sendTo(`bounce@${SIM}`)
    const id = queuedId(info.response)
    const r = await stateOf(id, 'bounced', 1)
    expect(r.lastResponse).toMatch(
      /^550 5\.1\.1 <bounce@simulator\.mailfront\.test>: recipient address does not exist/,
    )
    const [dsn] = await until(
      'the DSN',
      () => dsnsTo('sales@example.com'),
      (l) => l.length > 0,
    )
    expect(dsn!.envelope).toEqual({ from: '', to: ['sales@example.com'] })
    const text = await (await fetch(`${srv.url}/_mailfront/messages/${dsn!.id}/raw`)).text()
    expect(text).toContain(`Final-Recipient: rfc822; bounce@${SIM}`)
    expect(text).toContain('Status: 5.1.1')
    expect((await authsmtpCounters()).messages).toBe(before.messages + 1)
  })

  it('reject@: 550 5.1.1 at RCPT TO, nothing stored, nothing counted', async () => {
    const before = await authsmtpCounters()
    const err = await sendTo(`reject@${SIM}`).catch((e) => e)
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 550 })
    expect(err.response).toBe(`550 5.1.1 <reject@${SIM}>: recipient address rejected (mailfront simulator)`)
    // With another recipient, only the refused one is left out.
    const info = await client().sendMail({
      from: 'sales@example.com',
      to: [`reject+2@${SIM}`, `delivered+2@${SIM}`],
      subject: 'two',
      text: 'Hello',
    })
    expect(info.rejected).toEqual([`reject+2@${SIM}`])
    expect((await recipientsOf(queuedId(info.response))).map((r) => r.recipient)).toEqual([
      `delivered+2@${SIM}`,
    ])
    expect((await authsmtpCounters()).messages).toBe(before.messages + 1)
  })

  it('defer+2@: deferred twice on the retry schedule as the clock moves, then delivered', async () => {
    const id = queuedId((await sendTo(`defer+2@${SIM}`)).response)
    const first = await stateOf(id, 'deferred', 1)
    expect(first.lastResponse).toBe(
      `451 4.4.1 <defer+2@${SIM}>: temporary failure 1 of 2 (mailfront simulator)`,
    )
    await moveClock('60s') // MAILFRONT_MAIL_RETRY_S: 60, doubled per attempt
    await stateOf(id, 'deferred', 2)
    await moveClock('120s')
    await stateOf(id, 'delivered', 3)
  })

  it('deferfail@: retried until MAILFRONT_MAIL_MAX_ATTEMPTS (3), then bounced with a DSN', async () => {
    const dsnsBefore = (await dsnsTo('sales@example.com')).length
    const id = queuedId((await sendTo(`deferfail@${SIM}`)).response)
    await stateOf(id, 'deferred', 1)
    await moveClock('60s')
    await stateOf(id, 'deferred', 2)
    await moveClock('120s')
    const r = await stateOf(id, 'bounced', 3)
    expect(r.lastResponse).toMatch(/^gave up after 3 attempts; last: 451 4\.4\.1 <deferfail@/)
    await until(
      'the DSN',
      () => dsnsTo('sales@example.com'),
      (l) => l.length === dsnsBefore + 1,
    )
  })

  it('slow@: accepted once the clock has moved a minute on; other connections go on meanwhile', async () => {
    let done = false
    const slow = sendTo(`slow@${SIM}`).then((info) => {
      done = true
      return info
    })
    // A second connection is served while the first waits for its 250.
    const other = await sendTo(`delivered+meanwhile@${SIM}`)
    await stateOf(queuedId(other.response), 'delivered')
    expect(done).toBe(false)
    await moveClock('1m')
    const info = await slow
    await stateOf(queuedId(info.response), 'delivered')
  })
})

describe('what the other providers show', () => {
  it('tmail: the relay user queue lists the deferral, then the bounce and its DSN', async () => {
    const tmail = smtp('toorop@tmail.io', 'motdepasse')
    const queue = async () =>
      (await api('/queue', { headers: { Authorization: basic('admin', 'admin') } })).body as {
        Uuid: string
        MailFrom: string
        RcptTo: string
        Status: number
        DeliveryFailedCount: number
      }[]
    const deferred = queuedId(
      (await tmail.sendMail({ from: 'toorop@tmail.io', to: `defer+5@${SIM}`, subject: 'd', text: 'x' }))
        .response,
    )
    await stateOf(deferred, 'deferred', 1)
    expect((await queue()).find((q) => q.Uuid === deferred)).toMatchObject({
      RcptTo: `defer+5@${SIM}`,
      Status: 2, // scheduled
      DeliveryFailedCount: 1,
    })
    const bounced = queuedId(
      (await tmail.sendMail({ from: 'toorop@tmail.io', to: `bounce@${SIM}`, subject: 'b', text: 'x' }))
        .response,
    )
    await stateOf(bounced, 'bounced')
    expect((await queue()).find((q) => q.Uuid === bounced)).toMatchObject({ Status: 3 }) // will be bounced
    // The processor removes the bounced row and lists the DSN as tmail's own bounce (empty MailFrom).
    await processQueue(srv.runtime.contexts.get('tmail')!)
    const q = await queue()
    expect(q.find((x) => x.Uuid === bounced)).toBeUndefined()
    const [dsn] = await dsnsTo('toorop@tmail.io')
    expect(q.find((x) => x.Uuid === dsn!.id)).toMatchObject({ MailFrom: '', RcptTo: 'toorop@tmail.io' })
  })

  describe('SMTPD: POST /api/v1/email/send, its send and events', () => {
    let auth: Record<string, string>
    beforeAll(async () => {
      const token = await api('/oauth/token?grant_type=password', {
        method: 'POST',
        headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
      })
      auth = { Authorization: `Bearer ${token.body.access_token}`, 'Content-Type': 'application/json' }
    })
    const send = async (to: string) => {
      const r = await api('/api/v1/email/send', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          recipient_email_address: to,
          recipient_name: 'Sim',
          from_email_address: 'news@example.com',
          from_name: 'News',
          subject: 'Simulated',
          content_text: 'Hello',
          content_html: '<p>Hello</p>',
        }),
      })
      expect(r.status).toBe(202)
      return r.body as { send_id: string; state: string }
    }
    const sendState = (id: string, want: string) =>
      until(
        `send ${id}`,
        async () => (await api(`/api/v1/email/send/${id}`, { headers: auth })).body,
        (s) => s.state === want,
      )
    const events = async (id: string) =>
      (
        (await api(`/api/v1/email/send/${id}/events`, { headers: auth })).body as {
          type: string
          detail: string
        }[]
      ).map((e) => [e.type, e.detail])

    it('delivered@: processed, sent, delivered', async () => {
      const s = await send(`delivered@${SIM}`)
      await sendState(s.send_id, 'delivered')
      expect(await events(s.send_id)).toEqual([
        ['accepted', ''],
        ['processed', ''],
        ['sent', ''],
        ['delivered', `250 2.0.0 <delivered@${SIM}>: delivered (mailfront simulator)`],
      ])
    })

    it('bounce@: the send ends bounced with the reply', async () => {
      const s = await send(`bounce@${SIM}`)
      const done = await sendState(s.send_id, 'bounced')
      expect(done.error).toMatch(/^550 5\.1\.1 <bounce@/)
      expect((await events(s.send_id)).map(([t]) => t)).toEqual(['accepted', 'processed', 'bounced'])
    })

    it("reject@: SMTPD's own refusal, the send rejected with the 550", async () => {
      const s = await send(`reject@${SIM}`)
      expect(s.state).toBe('rejected')
      expect(await events(s.send_id)).toEqual([
        ['accepted', ''],
        ['rejected', `550 5.1.1 <reject@${SIM}>: recipient address rejected (mailfront simulator)`],
      ])
    })

    it('defer@: queued with the 451, then delivered once the clock reaches the retry', async () => {
      const s = await send(`defer@${SIM}`)
      await sendState(s.send_id, 'queued')
      await moveClock('60s')
      await sendState(s.send_id, 'delivered')
      expect((await events(s.send_id)).map(([t]) => t)).toEqual([
        'accepted',
        'processed',
        'queued',
        'sent',
        'delivered',
      ])
    })

    it('deferfail@: queued on each retry, then bounced', async () => {
      const s = await send(`deferfail@${SIM}`)
      await sendState(s.send_id, 'queued')
      await moveClock('60s')
      await until(
        'second failure',
        () => events(s.send_id),
        (e) => e.filter(([t]) => t === 'queued').length === 2,
      )
      await moveClock('120s')
      const done = await sendState(s.send_id, 'bounced')
      expect(done.error).toMatch(/^gave up after 3 attempts/)
    })
  })

  it('mailbox.org: a forward to bounce@ bounces back to the forwarding mailbox, delivered locally', async () => {
    const rpc = async (method: string, params: unknown, session?: string) =>
      (
        await api('/v1/', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(session ? { 'HPLS-AUTH': session } : {}) },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
      ).body
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).result.session
    expect(
      (await rpc('mail.set', { mail: 'user1@domain1.test', forwards: [`bounce@${SIM}`] }, s)).error,
    ).toBeUndefined()
    const info = await smtp('aa12345', 'demo-smtp-password').sendMail({
      from: 'sales@example.com',
      to: 'user1@domain1.test',
      subject: 'forward me',
      text: 'Hello',
    })
    const r = await stateOf(queuedId(info.response), 'delivered')
    const copy = /forwarded to .* as ([0-9a-f]{40})/.exec(r.lastResponse!)![1]!
    await stateOf(copy, 'bounced')
    const [dsn] = await until(
      'the DSN',
      () => dsnsTo('user1@domain1.test'),
      (l) => l.length > 0,
    )
    const got = await stateOf(dsn!.id, 'delivered')
    expect(got.lastResponse).toMatch(/^delivered locally/)
  })
})
