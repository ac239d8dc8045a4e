import { simpleParser } from 'mailparser'
import nodemailer from 'nodemailer'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insecureFetch, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'
import { startSink } from './smtp-sink.ts'

// Relay mode end to end: the real server relays to a local SMTP sink started here. A 4xx is retried
// until it succeeds (and tmail's GET /queue shows the message meanwhile); a 5xx bounces with one DSN.

type Sink = Awaited<ReturnType<typeof startSink>>

function client(port: number, user: string, pass: string, pool = false) {
  return nodemailer.createTransport({
    ...(pool ? { pool: true, maxConnections: 4 } : {}),
    host: '127.0.0.1',
    port,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user, pass },
  })
}

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

const tmailQueue = async (url: string) =>
  JSON.parse(
    (
      await insecureFetch(`${url}/queue`, {
        headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      })
    ).body.toString(),
  ) as { Id: number; RcptTo: string; Status: number; DeliveryFailedCount: number; AuthUser: string }[]

describe('relay delivery end to end', () => {
  let sink: Sink
  let srv: (ServerProcess & { dataDir: string }) | undefined
  let port = 0
  beforeAll(async () => {
    sink = await startSink((rcpt, n) => {
      if (rcpt.startsWith('later@') && n === 1) return [451, '4.3.0 Try again later']
      if (rcpt.startsWith('nobody@')) return [550, '5.1.1 <nobody@example.org>: no such user']
      return undefined
    })
    srv = await startServer({
      MAILFRONT_DEMO: 'on',
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      MAILFRONT_MAIL_RETRY_S: '1',
      MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '1',
    })
    port = await smtpPortOf(srv)
  }, 60_000)
  afterAll(async () => {
    srv?.child.kill('SIGKILL')
    await sink?.close()
  })

  it("retries a 4xx to success; tmail's GET /queue lists the message until it is delivered", async () => {
    const info = await client(port, 'toorop@tmail.io', 'motdepasse').sendMail({
      envelope: { from: 'toorop@tmail.io', to: ['later@example.org'] },
      from: 'toorop@tmail.io',
      to: 'later@example.org',
      subject: 'retry me',
      text: 'hello',
      messageId: '<retry@tmail.io>',
    })
    expect(info.response).toMatch(/^250 /)
    const row = await until(
      () => tmailQueue(srv!.url),
      (q) => q.some((m) => m.RcptTo === 'later@example.org' && m.DeliveryFailedCount === 1),
    )
    expect(row.find((m) => m.RcptTo === 'later@example.org')).toMatchObject({
      AuthUser: 'toorop@tmail.io',
      MailFrom: 'toorop@tmail.io',
      MessageId: 'retry@tmail.io',
      Host: 'example.org',
      Status: 2,
      DeliveryFailedCount: 1,
    })
    const got = await until(
      () => sink.received.filter((r) => r.to.includes('later@example.org')),
      (r) => r.length > 0,
    )
    expect(got).toHaveLength(1)
    expect(got[0]!.from).toBe('toorop@tmail.io')
    expect(got[0]!.raw).toContain('Message-ID: <retry@tmail.io>')
    expect(sink.attempts.get('later@example.org')).toBe(2)
    const q = await until(
      () => tmailQueue(srv!.url),
      (q) => !q.some((m) => m.RcptTo === 'later@example.org'),
    )
    expect(q.map((m) => m.RcptTo)).not.toContain('later@example.org')
  })

  it('bounces a 5xx with exactly one RFC 3464 DSN to the envelope sender', async () => {
    await client(port, 'aa12345', 'demo-smtp-password').sendMail({
      envelope: { from: 'sales@example.com', to: ['nobody@example.org'] },
      from: 'sales@example.com',
      to: 'nobody@example.org',
      subject: 'bounce me',
      text: 'hello',
      messageId: '<bounce@example.com>',
    })
    const dsns = await until(
      () => sink.received.filter((r) => r.from === '' && r.to.includes('sales@example.com')),
      (r) => r.length > 0,
    )
    await new Promise((r) => setTimeout(r, 1500))
    expect(sink.received.filter((r) => r.from === '' && r.to.includes('sales@example.com'))).toHaveLength(1)
    const dsn = await simpleParser(dsns[0]!.raw)
    expect(dsn.headers.get('content-type')).toMatchObject({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status' },
    })
    expect(dsn.subject).toBe('Undelivered Mail Returned to Sender')
    expect(dsns[0]!.raw).toContain('Final-Recipient: rfc822; nobody@example.org')
    expect(dsns[0]!.raw).toContain('Status: 5.1.1')
    expect(dsns[0]!.raw).toContain('Message-ID: <bounce@example.com>')
    expect(sink.received.some((r) => r.to.includes('nobody@example.org'))).toBe(false)
  })
})

// Two instances on one PostgreSQL, both relaying: each message reaches the sink exactly once.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl) console.log('[relay-e2e] two-instance test skipped: MAILFRONT_TEST_PG_URL is not set')

describe.skipIf(!pgUrl)('two instances on one PostgreSQL deliver each message once', () => {
  const schema = `mf_mail_${process.pid}_${Date.now()}`
  const sql = async (q: string) => {
    const c = new pg.Client({ connectionString: pgUrl })
    await c.connect()
    await c.query(q)
    await c.end()
  }
  let sink: Sink
  const servers: (ServerProcess & { dataDir: string })[] = []
  beforeAll(async () => {
    await sql(`CREATE SCHEMA ${schema}`)
    const u = new URL(pgUrl!)
    u.searchParams.set('options', `-c search_path=${schema}`)
    sink = await startSink(() => undefined)
    const env = {
      MAILFRONT_DATABASE_URL: u.toString(),
      MAILFRONT_SECRET: 's'.repeat(40),
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      MAILFRONT_MAIL_RETRY_S: '1',
    }
    servers.push(await startServer({ ...env, MAILFRONT_DEMO: 'on' }))
    servers.push(await startServer({ ...env, MAILFRONT_DEMO: 'off' }))
  }, 60_000)
  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGKILL')
    await sink?.close()
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  })

  it('40 messages submitted to both instances arrive 40 times', async () => {
    const ports = await Promise.all(servers.map((s) => smtpPortOf(s)))
    const clients = ports.map((p) => client(p, 'aa12345', 'demo-smtp-password', true))
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < 40; i++)
      sends.push(
        clients[i % 2]!.sendMail({
          envelope: { from: 'sales@example.com', to: [`r${i}@example.org`] },
          from: 'sales@example.com',
          to: `r${i}@example.org`,
          subject: `m${i}`,
          text: 'x',
          messageId: `<pg-${i}@example.com>`,
        }),
      )
    await Promise.all(sends)
    for (const c of clients) c.close()
    await until(
      () => sink.received.length,
      (n) => n >= 40,
    )
    await new Promise((r) => setTimeout(r, 2000))
    const ids = sink.received.map((r) => /Message-ID: <(pg-\d+)@/.exec(r.raw)?.[1])
    expect(ids).toHaveLength(40)
    expect(new Set(ids).size).toBe(40)
    // Each instance counts what it delivered itself: together, exactly once each.
    let delivered = 0
    for (const s of servers) {
      const m = (await insecureFetch(`${s.url}/metrics`)).body.toString()
      delivered += Number(
        /^mailfront_mail_total\{plugin="authsmtp",event="delivered"\} (\d+)/m.exec(m)?.[1] ?? 0,
      )
    }
    expect(delivered).toBe(40)
  }, 60_000)
})
