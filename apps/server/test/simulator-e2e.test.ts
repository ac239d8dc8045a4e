import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insecureFetch, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'
import { startSink } from './smtp-sink.ts'
import { until } from './until.ts'

// Simulator addresses against the real `mailfront serve` process in relay mode, with a real smarthost
// (a local SMTP sink): ordinary recipients reach the sink, simulator addresses never do (their DSN
// to the outside sender does), and a deferral is retried when the clock is moved.

const SIM = 'simulator.mailfront.test'

describe('simulator addresses end to end (relay mode, a real smarthost)', () => {
  let sink: Awaited<ReturnType<typeof startSink>>
  let srv: ServerProcess | undefined
  let port = 0
  beforeAll(async () => {
    sink = await startSink(() => undefined)
    srv = await startServer({
      MAILFRONT_DEMO: 'on',
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
    })
    port = await smtpPortOf(srv)
  }, 60_000)
  afterAll(async () => {
    srv?.child.kill('SIGKILL')
    await sink?.close()
  })

  const admin = async (path: string, body?: unknown) => {
    const r = await insecureFetch(`${srv!.url}/_mailfront${path}`, {
      ...(body
        ? { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
        : {}),
    })
    expect(r.status).toBe(200)
    return JSON.parse(r.body.toString())
  }
  const states = async (id: string) =>
    (
      (await admin(`/messages/${id}`)).recipients as { recipient: string; state: string; attempts: number }[]
    ).map((r) => `${r.recipient} ${r.state} ${r.attempts}`)
  const client = () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })

  it('relays the ordinary recipient only; bounce@ sends its DSN; reject@ is refused at RCPT', async () => {
    const info = await client().sendMail({
      from: 'sales@example.com',
      to: [`delivered@${SIM}`, `bounce@${SIM}`, `reject@${SIM}`, 'someone@example.org'],
      subject: 'mixed',
      text: 'Hello',
    })
    expect(info.rejected).toEqual([`reject@${SIM}`])
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 550 })
    const id = /queued as ([0-9a-f]{40})/.exec(info.response)![1]!
    await until(
      'the entries',
      () => states(id),
      (s) => s.every((x) => !/ (queued|deferred|delivering) /.test(x)),
    )
    expect(await states(id)).toEqual([
      `delivered@${SIM} delivered 1`,
      `bounce@${SIM} bounced 1`,
      'someone@example.org delivered 1',
    ])
    const dsn = await until(
      'the DSN at the smarthost',
      async () => sink.received.filter((r) => r.from === '' && r.to.includes('sales@example.com')),
      (l) => l.length === 1,
    )
    expect(dsn[0]!.raw).toContain(`Final-Recipient: rfc822; bounce@${SIM}`)
    expect(sink.received.filter((r) => r.from === 'sales@example.com').map((r) => r.to)).toEqual([
      ['someone@example.org'],
    ])
    expect(sink.received.some((r) => r.to.some((t) => t.endsWith(`@${SIM}`)))).toBe(false)
  })

  it('defer@: deferred, then delivered once POST /_mailfront/clock reaches the retry; never relayed', async () => {
    const info = await client().sendMail({
      from: 'sales@example.com',
      to: `defer@${SIM}`,
      subject: 'd',
      text: 'x',
    })
    const id = /queued as ([0-9a-f]{40})/.exec(info.response)![1]!
    await until(
      'the deferral',
      () => states(id),
      (s) => s[0] === `defer@${SIM} deferred 1`,
    )
    await admin('/clock', { advance: '60s' }) // MAILFRONT_MAIL_RETRY_S' default
    await until(
      'the retry',
      () => states(id),
      (s) => s[0] === `defer@${SIM} delivered 2`,
    )
    await admin('/clock', { reset: true })
    expect(sink.received.some((r) => r.to.some((t) => t.endsWith(`@${SIM}`)))).toBe(false)
  })
})
