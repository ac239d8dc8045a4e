// A webhook waiting for a retry survives kill -9: the real `mailfront serve` on SQLite queues the
// events of a message while the receiver answers 500, is killed, starts again on the same data
// directory, and (the clock moved past the retry) sends the same events, same bytes, signed.
import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { type ServerProcess, smtpPortOf, startServer } from './server-process.ts'
import { until } from './until.ts'
import { event, type Receiver, signedBy, startReceiver } from './webhook-receiver.ts'

const SECRET = 'e2e-restart-webhook-secret-7c2a'

const signed = (r: Receiver['received'][number]) => signedBy(SECRET, r)

describe('webhook deliveries waiting survive a crash (SQLite, kill -9)', () => {
  let srv: (ServerProcess & { dataDir: string }) | undefined
  let receiver: Receiver | undefined
  afterAll(async () => {
    srv?.child.kill('SIGKILL')
    await receiver?.close()
  })

  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${srv!.url}/_mailfront${path}`, {
      ...(body
        ? { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
        : {}),
    })
    expect(res.status).toBe(200)
    return res.json()
  }
  type Attempt = { eventId: string; attempt: number; outcome: string; status?: number }
  const attempts = async () => (await admin('/webhook/deliveries')).deliveries as Attempt[]

  it('sends after a restart the events that were waiting for a retry at the kill', async () => {
    receiver = await startReceiver()
    const env = {
      MAILFRONT_TLS: 'off',
      MAILFRONT_DEMO: 'off',
      MAILFRONT_SMTP_AUTH: 'any',
      MAILFRONT_CLOCK: 'movable',
      MAILFRONT_WEBHOOK_URL: receiver.url,
      MAILFRONT_WEBHOOK_SECRET: SECRET,
    }
    srv = await startServer(env)
    const dataDir = srv.dataDir
    // Every attempt before the kill fails.
    receiver.answer(...Array(50).fill(500))
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: await smtpPortOf(srv) })
    await smtp.sendMail({ from: 'app@example.com', to: 'dev@example.org', subject: 'Kept', text: 'x' })
    // Captured mail is received, then delivered (captured): two events, each waiting for a retry.
    const failing = await until(
      'two first attempts answered 500, each with a retry waiting',
      attempts,
      (l) => l.filter((a) => a.outcome === 'retrying').length >= 2,
    )
    const ids = [...new Set(failing.map((a) => a.eventId))].sort()
    expect(ids).toHaveLength(2)
    expect(await admin('/webhook')).toMatchObject({ pending: 2 })
    const before = receiver.received.length
    const bodies = new Map(receiver.received.map((r) => [event(r).id, r.body]))

    srv.child.kill('SIGKILL')
    await srv.exited
    receiver.clearAnswers() // from now on the receiver answers 200
    srv = await startServer(env, dataDir)
    // Past any retry's time (and any lease of the killed process) without waiting.
    await admin('/clock', { advance: '10m' })
    const delivered = await until(
      'both events delivered by the restarted server',
      attempts,
      (l) => l.filter((a) => a.outcome === 'delivered').length === 2,
    )
    expect(delivered.map((a) => a.eventId).sort()).toEqual(ids)
    for (const a of delivered) {
      expect(a).toMatchObject({ outcome: 'delivered', status: 200 })
      expect(a.attempt).toBeGreaterThanOrEqual(2)
    }
    expect(await admin('/webhook')).toMatchObject({ pending: 0 })
    const after = receiver.received.slice(before)
    expect(after.map((r) => event(r).id).sort()).toEqual(ids)
    for (const r of after) {
      // The same event, the same bytes as before the crash; signed anew.
      expect(r.body).toBe(bodies.get(event(r).id))
      expect(r.headers['mailfront-webhook-id']).toBe(event(r).id)
      expect(signed(r)).toBe(true)
    }
  }, 90_000)
})
