import { type MailfrontInstance, startMailfront } from '@mailfront/server/testing'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { insecureFetch, type ServerProcess, smtpPortOf, startServer } from './server-process.ts'

// SMTP faults end to end: the real `mailfront serve` with its self-signed certificate (so nodemailer
// upgrades with STARTTLS before AUTH, as a real client does), faults set over the admin API, nodemailer
// meeting each one on the SMTP port; the movable clock (POST /_mailfront/clock) re-opens a rate window.

// A second AuthSMTP login, for the rate limit being per login.
const FIXTURES = {
  authsmtp: {
    accounts: [
      {
        user_id: 'aa77777',
        api_password: 'second-api-password',
        smtp_password: 'second-smtp-password',
        messages_limit: 1000,
        data_limit: 10_000_000,
        max_message_size: 1_000_000,
        from_addresses: ['sales@example.com'],
      },
    ],
  },
}

type SmtpError = {
  code?: string
  command?: string
  responseCode?: number
  response?: string
  message: string
}

let srv: (ServerProcess & { dataDir: string }) | undefined
let port = 0

const admin = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await insecureFetch(`${srv!.url}/_mailfront${path}`, {
    method: init.method ?? 'GET',
    ...(init.body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
  })
  return { status: res.status, body: res.status === 204 ? null : JSON.parse(res.body.toString()) }
}
const fault = async (f: object) => {
  const r = await admin('/faults', { method: 'POST', body: { plugin: 'smtp', ...f } })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body as { id: number }
}
const listed = async () =>
  (await admin('/faults')).body.faults as { id: number; fired: number; count?: number }[]

const client = (user = 'aa12345', pass = 'demo-smtp-password', requireTLS = true) =>
  nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    requireTLS,
    tls: { rejectUnauthorized: false },
    auth: { user, pass },
  })
let n = 0
const message = () => ({
  envelope: { from: 'sales@example.com', to: ['customer@example.org'] },
  from: 'sales@example.com',
  to: 'customer@example.org',
  subject: `fault e2e #${++n}.`,
  text: 'Hello',
})
const send = (c = client()) => c.sendMail(message())
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the message was accepted')
    },
    (e: SmtpError) => e,
  )
const captured = async (subject: string) =>
  (await admin(`/messages?subject=${encodeURIComponent(subject)}`)).body.messages as unknown[]

beforeAll(async () => {
  srv = await startServer({ MAILFRONT_HOST: '127.0.0.1', MAILFRONT_DEMO: 'on' })
  port = await smtpPortOf(srv)
  const loaded = await admin('/fixtures', { method: 'POST', body: FIXTURES })
  expect(loaded.status, JSON.stringify(loaded.body)).toBeLessThan(300)
})
afterAll(async () => {
  srv?.child.kill()
  await srv?.exited
})
beforeEach(async () => {
  expect((await admin('/faults', { method: 'DELETE' })).status).toBe(204)
})

describe('SMTP faults, as nodemailer meets them', () => {
  it('a reply at each stage: code and text exactly as given, and nothing captured', async () => {
    const cases: [stage: string, reply: string, command: string][] = [
      ['connect', '554 5.3.2 Not accepting connections', 'CONN'],
      ['auth', '454 4.7.0 Temporary authentication failure', 'AUTH PLAIN'],
      ['mail', '451 4.3.0 Mail server temporarily rejected message', 'MAIL FROM'],
      ['rcpt', '451 4.7.1 try later', 'RCPT TO'],
      ['data', '552 5.2.2 Mailbox full', 'DATA'],
    ]
    for (const [stage, reply, command] of cases) {
      await fault({ stage, reply, count: 1 })
      const m = message()
      const err = await failure(client().sendMail(m))
      expect([stage, err.responseCode, err.response, err.command]).toEqual([
        stage,
        Number(reply.slice(0, 3)),
        reply,
        command,
      ])
      expect(await captured(m.subject)).toEqual([])
    }
    // Each fired once and went away: the next message is accepted.
    expect(await listed()).toEqual([])
    const m = message()
    await expect(client().sendMail(m)).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    expect(await captured(m.subject)).toHaveLength(1)
  })

  it('EHLO: a 421 ends the session; a 5xx refuses EHLO and the HELO nodemailer falls back to', async () => {
    await fault({
      stage: 'ehlo',
      reply: '421 4.7.0 mx.example.com Service not available, closing channel',
      count: 1,
    })
    expect(await failure(send())).toMatchObject({
      code: 'ECONNECTION',
      command: 'EHLO',
      responseCode: 421,
      response: '421 4.7.0 mx.example.com Service not available, closing channel',
    })
    await fault({ stage: 'ehlo', reply: '550 5.7.1 Client host rejected' })
    // A client requiring TLS stops there; one that does not falls back to HELO.
    expect(await failure(send())).toMatchObject({
      code: 'ECONNECTION',
      command: 'EHLO',
      responseCode: 550,
      response: '550 5.7.1 Client host rejected',
    })
    expect(await failure(send(client(undefined, undefined, false)))).toMatchObject({
      code: 'EPROTOCOL',
      command: 'HELO',
      responseCode: 550,
      response: '550 5.7.1 Client host rejected',
    })
    expect((await listed())[0]!.fired).toBe(3)
  })

  it('a dropped connection: closed with no reply, at connect or in the middle of a message', async () => {
    for (const stage of ['connect', 'rcpt', 'data']) {
      await fault({ stage, drop: true, count: 1 })
      const m = message()
      const err = await failure(client().sendMail(m))
      expect([stage, err.code, err.response, err.message]).toEqual([
        stage,
        'ECONNECTION',
        undefined,
        'Connection closed unexpectedly',
      ])
      expect(await captured(m.subject)).toEqual([])
    }
  })

  it('latency: the stage answers late, then for real', async () => {
    await fault({ stage: 'rcpt', latencyMs: 300, count: 1 })
    const t0 = Date.now()
    await expect(send()).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    // The floor the fault promises, not a speed assertion.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
  })

  it('count and probability bound a fault as they bound HTTP faults', async () => {
    await fault({ stage: 'mail', reply: '451 4.7.1 try later', count: 2 })
    for (let i = 0; i < 2; i++) expect((await failure(send())).response).toBe('451 4.7.1 try later')
    await expect(send()).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    const never = await fault({ stage: 'mail', reply: '451 4.7.1 try later', probability: 0 })
    await expect(send()).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    expect(await listed()).toMatchObject([{ id: never.id, fired: 0 }])
  })

  it('a 421 rate limit per login, re-opened by moving the clock', async () => {
    await fault({ rateLimit: { messages: 2, perSeconds: 60 } })
    const alice = client()
    for (let i = 0; i < 2; i++) await send(alice)
    const err = await failure(send(alice))
    expect(err.responseCode).toBe(421)
    expect(err.command).toBe('MAIL FROM')
    expect(err.response).toMatch(
      /^421 4\.7\.0 Too many messages: at most 2 per 60 seconds for this login, try again in (5\d|60) seconds$/,
    )
    // Another login has a window of its own.
    await expect(send(client('aa77777', 'second-smtp-password'))).resolves.toMatchObject({
      accepted: ['customer@example.org'],
    })
    const moved = await admin('/clock', { method: 'POST', body: { advance: '61s' } })
    expect(moved.status).toBe(200)
    await expect(send(alice)).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    expect((await listed())[0]!.fired).toBe(1)
    await admin('/clock', { method: 'POST', body: { reset: true } })
  })
})

describe('the SMTP rate limit is a hard bound', () => {
  it('parallel connections of one login (a nodemailer pool): exactly N accepted, the rest 421 at MAIL FROM', async () => {
    await fault({ rateLimit: { messages: 2, perSeconds: 60 } })
    const pool = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
      pool: true,
      maxConnections: 5,
      maxMessages: 1,
    })
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => pool.sendMail(message())))
      const accepted = results.filter((r) => r.status === 'fulfilled')
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as SmtpError] : []))
      expect(accepted).toHaveLength(2)
      expect(refused.map((e) => [e.command, e.responseCode])).toEqual(Array(3).fill(['MAIL FROM', 421]))
    } finally {
      pool.close()
    }
  })
})

describe("startMailfront's handle: faults.smtp()", () => {
  let mf: MailfrontInstance
  beforeAll(async () => {
    mf = await startMailfront({ plugins: ['authsmtp'] })
  })
  afterAll(() => mf.close())

  it('makes the next RCPT answer the reply, lists and clears', async () => {
    const f = await mf.faults.smtp({ stage: 'rcpt', reply: '451 4.7.1 try later', count: 1 })
    expect(f).toMatchObject({
      plugin: 'smtp',
      stage: 'rcpt',
      reply: '451 4.7.1 try later',
      count: 1,
      fired: 0,
    })
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: mf.smtpPort,
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    const err = await failure(smtp.sendMail(message()))
    expect([err.responseCode, err.response]).toEqual([451, '451 4.7.1 try later'])
    await expect(smtp.sendMail(message())).resolves.toMatchObject({ accepted: ['customer@example.org'] })
    await mf.faults.smtp({ stage: 'data', drop: true })
    await mf.fault({ plugin: 'smtp', stage: 'mail', latencyMs: 10 })
    expect((await mf.faults.list()).map((x) => x.plugin)).toEqual(['smtp', 'smtp'])
    await mf.faults.clear()
    expect(await mf.faults.list()).toEqual([])
    await expect(mf.faults.smtp({ stage: 'rcpt', reply: '250 ok' })).rejects.toThrow(
      'mailfront POST /_mailfront/faults: 400 {"error":"reply: the code must be a failure, 4xx or 5xx (400-559), not 250"}',
    )
  })
})
