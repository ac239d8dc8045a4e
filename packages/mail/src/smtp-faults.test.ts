import { memoryAdapter, type SmtpAuth } from '@mailfront/core'
import nodemailer from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import { createMailPipeline } from './service.ts'
import { createSmtpListener } from './smtp.ts'
import type { SmtpFaultAction, SmtpFaults, SmtpStage } from './smtp-faults.ts'

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
  const accepted: (string | undefined)[] = []
  const faults: SmtpFaults = {
    async at(stage, login) {
      asked.push([stage, login])
      const a = plan[stage]
      delete plan[stage]
      return a
    },
    async accepted(login) {
      accepted.push(login)
    },
  }
  return { faults, asked, accepted }
}

async function start(faults: SmtpFaults) {
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
  return { mail, client }
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
    expect(s.accepted).toEqual(['user'])
  })

  it('a fault that throws is logged and the session goes on as without one', async () => {
    const { client } = await start({
      at: async () => {
        throw new Error('broken')
      },
      accepted: async () => {
        throw new Error('broken too')
      },
    })
    await expect(client().sendMail(msg)).resolves.toMatchObject({ accepted: ['b@example.org'] })
  })
})
