import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { type Logger, memoryAdapter, type SmtpAuth, silentLogger } from '@mailfront/core'
import nodemailer from 'nodemailer'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import { createMailPipeline } from './service.ts'
import { createSmtpListener } from './smtp.ts'
import { installSmtpFaults, type SmtpFaultAction, type SmtpFaults, type SmtpStage } from './smtp-faults.ts'

// The port's side of SMTP faults: each stage's action reaches nodemailer as sent. Which fault fires
// (probability, count, rate limits) is the server's FaultSet: apps/server/src/admin/smtp-faults.test.ts.

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
})

const auth: SmtpAuth = {
  hasLogin: async (login) => login === 'user',
  authenticate: async (login, password) =>
    login === 'user' && password === 'secret' ? { principal: 'p1' } : null,
}

/** Faults given per stage, each fired once; what the port asked and counted is recorded. */
function scripted(plan: Partial<Record<SmtpStage, SmtpFaultAction>>) {
  const asked: [SmtpStage, string | undefined][] = []
  const reserved: (string | undefined)[] = []
  const givenBack: (string | undefined)[] = []
  const faults: SmtpFaults = {
    async at(stage, login) {
      asked.push([stage, login])
      const a = plan[stage]
      delete plan[stage]
      return a
    },
    async reserve(login) {
      reserved.push(login)
      return { giveBack: async () => void givenBack.push(login) }
    },
  }
  return { faults, asked, reserved, givenBack }
}

async function start(faults: SmtpFaults) {
  const { mail, client } = await startWithListener(faults)
  return { mail, client }
}

async function startWithListener(faults: SmtpFaults) {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const mail = createMailPipeline({ storage })
  const l = createSmtpListener({
    mail,
    sources: [{ plugin: 'test', auth }],
    maxSize: 10_000,
    maxClientsPerAddress: 5,
    hostname: 'mx.test',
    faults,
  })
  const port = await l.listen(0, '127.0.0.1')
  stops.push(() => l.close())
  const client = () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      ignoreTLS: true,
      auth: { user: 'user', pass: 'secret' },
    })
  return { mail, client, listener: l }
}

const msg = { envelope: { from: 'a@example.com', to: ['b@example.org'] }, subject: 'hi', text: 'hello' }
const reply = (code: number, text: string) => ({ reply: { code, text } })

describe('SMTP faults at the port', () => {
  it('answers each stage with the reply given, code and text exactly', async () => {
    const cases: [SmtpStage, number, string, string][] = [
      ['connect', 421, '4.3.2 System not accepting network messages', 'CONN'],
      ['auth', 454, '4.7.0 Temporary authentication failure', 'AUTH PLAIN'],
      ['mail', 451, '4.7.1 try later', 'MAIL FROM'],
      ['rcpt', 550, '5.1.1 No such user here', 'RCPT TO'],
      ['data', 554, '5.6.0 Transaction failed', 'DATA'],
    ]
    for (const [stage, code, text, command] of cases) {
      const { client } = await start(scripted({ [stage]: reply(code, text) }).faults)
      const err = await client()
        .sendMail(msg)
        .then(
          () => undefined,
          (e: { responseCode?: number; response?: string; command?: string }) => e,
        )
      expect([stage, err?.responseCode, err?.response, err?.command]).toEqual([
        stage,
        code,
        `${code} ${text}`,
        command,
      ])
    }
  })

  it('answers EHLO; nodemailer falls back to HELO, which the same stage covers', async () => {
    const s = scripted({ ehlo: reply(550, '5.7.1 EHLO refused') })
    const { client } = await start(s.faults)
    // Fired once: EHLO refused, HELO through, the message accepted.
    await expect(client().sendMail(msg)).resolves.toMatchObject({ accepted: ['b@example.org'] })
    expect(s.asked.filter(([st]) => st === 'ehlo')).toHaveLength(2)
    // A 421 ends the session instead.
    const { client: c2 } = await start(
      scripted({ ehlo: reply(421, '4.7.0 Try again later, closing connection') }).faults,
    )
    await expect(c2().sendMail(msg)).rejects.toMatchObject({
      code: 'ECONNECTION',
      command: 'EHLO',
      response: '421 4.7.0 Try again later, closing connection',
    })
  })

  it('drops the connection with no reply at any stage', async () => {
    for (const stage of ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data'] as const) {
      const { client, mail } = await start(scripted({ [stage]: { drop: true } }).faults)
      const err = await client()
        .sendMail(msg)
        .then(
          () => undefined,
          (e: { code?: string; response?: string; message: string }) => e,
        )
      expect([stage, err?.code, err?.response]).toEqual([stage, 'ECONNECTION', undefined])
      expect(err?.message).toMatch(/Connection closed unexpectedly/)
      expect(await mail.list({ limit: 5 })).toEqual([])
    }
  })

  it('a latency delays the stage, then the real answer; the login is asked about and counted', async () => {
    const s = scripted({ rcpt: { latencyMs: 150 } })
    const { client, mail } = await start(s.faults)
    const t0 = Date.now()
    await client().sendMail(msg)
    // The floor the fault promises, not a speed assertion.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    expect((await mail.list({ limit: 5 })).length).toBe(1)
    expect(s.asked).toEqual([
      ['connect', undefined],
      ['ehlo', undefined],
      ['auth', undefined],
      ['mail', 'user'],
      ['rcpt', 'user'],
      ['data', 'user'],
    ])
    expect(s.reserved).toEqual(['user'])
    expect(s.givenBack).toEqual([])
  })

  it('a fault that throws is logged and the session goes on as without one', async () => {
    const { client } = await start({
      at: async () => {
        throw new Error('broken')
      },
      reserve: async () => {
        throw new Error('broken too')
      },
    })
    await expect(client().sendMail(msg)).resolves.toMatchObject({ accepted: ['b@example.org'] })
  })
})

/** A bare smtp-server with the faults in front of `handlers`; its replies read off a raw socket. */
async function bare(handlers: Partial<SMTPServerOptions>, faults: SmtpFaults) {
  const errors: unknown[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...handlers,
  })
  installSmtpFaults(server, faults, { ...silentLogger, error: (o: unknown) => void errors.push(o) } as Logger)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  stops.push(() => new Promise((r) => server.close(() => r())))
  const port = (server.server.address() as AddressInfo).port
  /** Send the lines, then QUIT; every reply line the server sent until it closed. */
  const talk = (lines: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1')
      let got = ''
      sock.on('data', (d) => {
        // After the greeting (talking first is refused), the commands, pipelined.
        if (!got) sock.write(`${[...lines, 'QUIT'].join('\r\n')}\r\n`)
        got += d.toString()
      })
      sock.on('error', reject)
      sock.on('close', () => resolve(got.split('\r\n').filter(Boolean)))
    })
  return { talk, errors }
}
const none: SmtpFaults = { at: async () => undefined, reserve: async () => ({ giveBack: async () => {} }) }

describe('the real handler behind the faults', () => {
  /** MAIL FROM with `onMailFrom` behind no fault: how often it ran, and the replies after EHLO's. */
  async function mailFrom(onMailFrom: SMTPServerOptions['onMailFrom'], faults = none) {
    let calls = 0
    const { talk, errors } = await bare(
      {
        onMailFrom(...a) {
          calls++
          onMailFrom!(...a)
        },
      },
      faults,
    )
    const replies = await talk(['EHLO c.test', 'MAIL FROM:<a@example.com>', 'NOOP'])
    return { calls, errors, replies: replies.slice(replies.findIndex((l) => l.startsWith('250 ')) + 1) }
  }

  it('one that throws gets exactly one reply, 451, and the session goes on', async () => {
    const r = await mailFrom(() => {
      throw new Error('handler bug')
    })
    expect(r.calls).toBe(1)
    expect(r.replies).toEqual([
      '451 4.3.0 Local error in processing',
      '250 OK',
      expect.stringMatching(/^221 /),
    ])
    expect(r.errors).toHaveLength(1)
  })

  it('one that answers, then throws, is answered once', async () => {
    const r = await mailFrom((_a, _s, cb) => {
      cb()
      throw new Error('after its answer')
    })
    expect(r.calls).toBe(1)
    expect(r.replies).toEqual([expect.stringMatching(/^250 /), '250 OK', expect.stringMatching(/^221 /)])
  })

  it('a failed fault lookup runs the real handler once', async () => {
    const r = await mailFrom((_a, _s, cb) => cb(), {
      at: () => Promise.reject(new Error('lookup failed')),
      reserve: none.reserve,
    })
    expect(r.calls).toBe(1)
    expect(r.replies[0]).toMatch(/^250 /)
  })
})

describe('latency and closing', () => {
  it('closing the listener ends a latency wait: the real handler never runs, the client gets 421', async () => {
    const s = scripted({ rcpt: { latencyMs: 60_000 } })
    const { client, mail, listener } = await startWithListener(s.faults)
    const sent = client()
      .sendMail(msg)
      .then(
        () => undefined,
        (e: { responseCode?: number; response?: string }) => e,
      )
    await until(() => s.asked.some(([st]) => st === 'rcpt'))
    await listener.close() // returns at once: no 60 s wait, no 30 s grace period
    expect(await sent).toMatchObject({ responseCode: 421, response: '421 4.3.2 Service shutting down' })
    expect(await mail.list({ limit: 5 })).toEqual([])
  })

  it('a data latency starts when the message has been read and handled, and delays only the answer', async () => {
    const s = scripted({ data: { latencyMs: 60_000 } })
    const { client, mail, listener } = await startWithListener(s.faults)
    let settled = false
    const sent = client()
      .sendMail(msg)
      .finally(() => {
        settled = true
      })
    // The message is stored (the real handler ran on the whole stream) while the client still waits.
    await until(async () => (await mail.list({ limit: 5 })).length === 1)
    expect(settled).toBe(false)
    // Closing ends the wait with the real answer, since the message is already stored.
    await listener.close()
    await expect(sent).resolves.toMatchObject({
      response: expect.stringMatching(/^250 2\.0\.0 Ok: queued as /),
    })
  })

  it('a refused transaction (RCPT) gives its rate-limit count back; an accepted one keeps it', async () => {
    const s = scripted({ rcpt: reply(550, '5.1.1 No such user here') })
    const { client } = await start(s.faults)
    await expect(client().sendMail(msg)).rejects.toMatchObject({ responseCode: 550 })
    await until(() => s.givenBack.length === 1)
    expect(s.reserved).toEqual(['user'])
    expect(s.givenBack).toEqual(['user'])
  })
})

/** Wait for a condition by polling the event loop (no timed assertion: the test's own timeout bounds it). */
async function until(ok: () => boolean | Promise<boolean>) {
  while (!(await ok())) await new Promise((r) => setImmediate(r))
}
