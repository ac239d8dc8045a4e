// Every event end to end: a real server (startMailfront) with its SMTP port, nodemailer submitting,
// the delivery worker relaying to a local SMTP sink, an admin release, and a webhook receiver on
// loopback checking each signature as the README's verifier does. Retries are reached by moving the
// clock, never by waiting.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSink } from '../../test/smtp-sink.ts'
import { event, type Received, type Receiver, startReceiver } from '../../test/webhook-receiver.ts'
import { type MailfrontInstance, startMailfront } from '../testing.ts'

const SECRET = 'flow-test-webhook-secret-7f3a'

/** The README's verifier, as a receiver writes it (with the secret as a parameter). */
function verified(secret: string, headers: IncomingHttpHeaders, raw: Buffer): boolean {
  const timestamp = String(headers['mailfront-webhook-timestamp'])
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex')
  const expected = Buffer.from(`v1=${hmac}`)
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300 // refuse replays
  const given = String(headers['mailfront-webhook-signature'] ?? '')
    .split(' ')
    .map((s) => Buffer.from(s))
  return fresh && given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))
}
const verify = (secret: string, headers: IncomingHttpHeaders, body: string) =>
  verified(secret, headers, Buffer.from(body))

const about = (id: string) => (r: Received) => event(r).data.message?.id === id
const types = (rs: Received[]) => rs.map((r) => event(r).type)

describe('webhooks from a running server', () => {
  let mf: MailfrontInstance
  let receiver: Receiver
  let sink: Awaited<ReturnType<typeof startSink>>
  const admin = (path: string, init?: RequestInit) => fetch(`${mf.url}/_mailfront${path}`, init)
  const send = async (to: string[], subject: string) => {
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: mf.smtpPort,
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    await smtp.sendMail({ from: 'sales@example.com', to, subject, text: 'hello' })
    smtp.close()
    const { messages } = (await (await admin(`/messages?subject=${encodeURIComponent(subject)}`)).json()) as {
      messages: { id: string }[]
    }
    return messages[0]!.id
  }

  beforeAll(async () => {
    receiver = await startReceiver()
    sink = await startSink((rcpt) =>
      rcpt.startsWith('defer@')
        ? [451, '4.7.1 try again later']
        : rcpt.startsWith('bounce@')
          ? [550, '5.1.1 no such user']
          : undefined,
    )
    mf = await startMailfront({
      plugins: ['authsmtp'],
      env: {
        MAILFRONT_MAIL_DELIVERY: 'relay',
        MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
        MAILFRONT_MAIL_RELEASE_ALLOW: 'x.test',
        MAILFRONT_WEBHOOK_URL: receiver.url,
        MAILFRONT_WEBHOOK_SECRET: SECRET,
      },
    })
  })
  afterAll(async () => {
    await mf?.close()
    await receiver?.close()
    await sink?.close()
  })

  it('sends received, delivered, deferred, bounced and released, each signed', async () => {
    const id = await send(['ok@x.test', 'defer@x.test', 'bounce@x.test'], 'Every event')
    const wanted = ['message.received', 'message.delivered', 'message.deferred', 'message.bounced']
    await receiver.until(
      (rs) => wanted.every((t) => types(rs.filter(about(id))).includes(t)),
      `${wanted.join(', ')} for ${id}`,
    )
    const release = await admin(`/messages/${id}/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: ['ok@x.test'] }),
    })
    expect(release.status).toBe(200)
    await receiver.until((rs) => types(rs.filter(about(id))).includes('message.released'), 'message.released')
    // The bounce's DSN to the sender is mail too: received and delivered (before the next test's 500s).
    const dsn = (type: string) => (r: Received) =>
      event(r).type === type && event(r).data.message?.via === 'dsn'
    await receiver.until((rs) => rs.some(dsn('message.delivered')), "the DSN's message.delivered")
    expect(receiver.received.filter(dsn('message.received'))).toHaveLength(1)

    const mine = receiver.received.filter(about(id)).map(event)
    const one = (type: string) => mine.filter((e) => e.type === type)
    for (const type of [...wanted, 'message.released']) expect([type, one(type).length]).toEqual([type, 1])
    expect(one('message.received')[0]!.data).toEqual({
      message: {
        id,
        messageId: expect.any(String),
        from: 'sales@example.com',
        to: ['ok@x.test', 'defer@x.test', 'bounce@x.test'],
        subject: 'Every event',
        plugin: 'authsmtp',
        principal: expect.any(String),
        via: 'smtp',
        receivedAt: expect.any(String),
      },
    })
    expect(one('message.delivered')[0]!.data).toMatchObject({ recipient: 'ok@x.test' })
    expect(one('message.deferred')[0]!.data).toMatchObject({
      recipient: 'defer@x.test',
      response: expect.stringContaining('451'),
    })
    expect(one('message.bounced')[0]!.data).toMatchObject({
      recipient: 'bounce@x.test',
      response: expect.stringContaining('550'),
    })
    expect(one('message.released')[0]!.data).toMatchObject({
      message: { id },
      released: { to: ['ok@x.test'], failed: [] },
    })
    for (const e of mine)
      expect(e).toMatchObject({ id: expect.stringMatching(/^evt_/), createdAt: expect.any(String) })
    // Every request, this message's and the DSN's, is signed with the secret; a wrong one fails.
    for (const r of receiver.received) {
      expect(verify(SECRET, r.headers, r.body)).toBe(true)
      expect(verify(`${SECRET}x`, r.headers, r.body)).toBe(false)
      expect(r.headers['mailfront-webhook-id']).toBe(event(r).id)
    }
  })

  it('retries after the receiver fails, when the clock says so, with the same signed event', async () => {
    receiver.answer(500, 500)
    const before = receiver.received.length
    const id = await send(['ok@x.test'], 'Retried')
    await receiver.until(
      (rs) => rs.slice(before).filter(about(id)).length >= 2,
      'the first attempts of received and delivered',
    )
    const firsts = receiver.received.slice(before).filter(about(id))
    expect(types(firsts).sort()).toEqual(['message.delivered', 'message.received'])
    // Both got a 500: each is due again 10 s later by the server's clock.
    const log = async () =>
      ((await (await admin('/webhook/deliveries')).json()) as { deliveries: Record<string, unknown>[] })
        .deliveries
    expect((await log()).slice(0, 2)).toEqual([
      expect.objectContaining({ attempt: 1, status: 500, outcome: 'retrying' }),
      expect.objectContaining({ attempt: 1, status: 500, outcome: 'retrying' }),
    ])
    await mf.clock.advance('10s')
    await receiver.until((rs) => rs.slice(before).filter(about(id)).length >= 4, 'the retries')
    const all = receiver.received.slice(before).filter(about(id))
    for (const first of firsts) {
      const again = all.filter((r) => event(r).id === event(first).id)
      expect(again).toHaveLength(2)
      expect(again[1]!.body).toBe(first.body)
      expect(verify(SECRET, again[1]!.headers, again[1]!.body)).toBe(true)
    }
    const attempts = (await log()).filter((a) => firsts.some((f) => event(f).id === a.eventId))
    expect(attempts.map((a) => [a.attempt, a.outcome]).sort()).toEqual([
      [1, 'retrying'],
      [1, 'retrying'],
      [2, 'delivered'],
      [2, 'delivered'],
    ])
  })

  it('reaches each delivery event through the simulator addresses, no relay answer needed', async () => {
    const sim = (local: string) => `${local}@simulator.mailfront.test`
    const id = await send([sim('delivered'), sim('defer'), sim('bounce')], 'Simulated')
    const wanted = ['message.received', 'message.delivered', 'message.deferred', 'message.bounced']
    await receiver.until(
      (rs) => wanted.every((t) => types(rs.filter(about(id))).includes(t)),
      `${wanted.join(', ')} for the simulated message`,
    )
    const mine = receiver.received.filter(about(id)).map(event)
    const to = (type: string) => mine.filter((e) => e.type === type).map((e) => e.data.recipient)
    expect(to('message.delivered')).toEqual([sim('delivered')])
    expect(to('message.deferred')).toEqual([sim('defer')])
    expect(to('message.bounced')).toEqual([sim('bounce')])
  })

  it('a reset drops the deliveries waiting: no retry of before the reset is sent after it', async () => {
    receiver.answer(500, 500)
    const before = receiver.received.length
    const id = await send(['ok@x.test'], 'Before the reset')
    await receiver.until((rs) => rs.slice(before).filter(about(id)).length >= 2, 'the first attempts')
    const shown = async () => (await (await admin('/webhook')).json()) as { pending: number }
    await expect.poll(async () => (await shown()).pending).toBe(2)
    await mf.reset()
    expect((await shown()).pending).toBe(0)
    const { deliveries } = (await (await admin('/webhook/deliveries')).json()) as { deliveries: unknown[] }
    expect(deliveries).toEqual([])
  })
})
