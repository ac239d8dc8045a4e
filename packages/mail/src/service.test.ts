import { createManualClock, type DeliveryEvent, memoryAdapter } from '@mailfront/core'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import type { Relay, RelayResult } from './relay.ts'
import { createMailPipeline, InvalidSubmission } from './service.ts'
import { startWorker } from './worker.ts'

const RAW = (subject = 'Hello', id = 'abc@example.com') =>
  new TextEncoder().encode(
    `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n\r\nBody\r\n`,
  )

async function setup() {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const clock = createManualClock(Date.UTC(2026, 5, 10, 12))
  const p = createMailPipeline({ storage, clock, hostname: 'mx.test' })
  const events: DeliveryEvent[] = []
  p.onEvent((e) => {
    events.push(e)
  })
  return { storage, clock, p, events }
}

const input = (to = ['b@example.org', 'c@example.net'], from = 'a@example.com') => ({
  envelope: { from, to },
  raw: RAW(),
  plugin: 'authsmtp',
  principal: 'aa12345',
  via: 'smtp' as const,
  clientAddress: '127.0.0.1',
})

/** A relay that answers from a script, one reply per call. */
function scripted(replies: RelayResult[]): Relay & { sent: { from: string; to: string; raw: string }[] } {
  const sent: { from: string; to: string; raw: string }[] = []
  return {
    sent,
    async send(env, raw) {
      sent.push({ ...env, raw: raw.toString() })
      return replies.shift() ?? { kind: 'delivered', response: '250 OK' }
    },
    async close() {},
  }
}

describe('submit', () => {
  it('stores the message, its bytes and one queued entry per recipient', async () => {
    const { p, events } = await setup()
    const m = await p.submit(input())
    expect(m.id).toMatch(/^[0-9a-f]{40}$/)
    expect(m).toMatchObject({
      messageId: 'abc@example.com',
      subject: 'Hello',
      size: RAW().byteLength,
      plugin: 'authsmtp',
      principal: 'aa12345',
      via: 'smtp',
      envelope: { from: 'a@example.com', to: ['b@example.org', 'c@example.net'] },
    })
    expect(m.recipients.map((r) => [r.recipient, r.state, r.attempts])).toEqual([
      ['b@example.org', 'queued', 0],
      ['c@example.net', 'queued', 0],
    ])
    expect(Buffer.from((await p.raw(m.id))!).toString()).toBe(Buffer.from(RAW()).toString())
    expect(await p.get(m.id)).toEqual(m)
    expect(events.map((e) => e.type)).toEqual(['submitted'])
  })

  it('refuses a bad envelope', async () => {
    const { p } = await setup()
    await expect(p.submit(input([]))).rejects.toThrow(InvalidSubmission)
    await expect(p.submit(input(['no-at-sign']))).rejects.toThrow('invalid recipient <no-at-sign>')
    await expect(p.submit(input(['b@x.org'], 'bad sender'))).rejects.toThrow('invalid sender')
    await expect(p.submit({ ...input(), raw: new Uint8Array() })).rejects.toThrow('empty message')
  })

  it('decodes an encoded subject and lists newest first with filters and paging', async () => {
    const { p, clock } = await setup()
    await p.submit(input(['one@example.org']))
    clock.advance(1000)
    await p.submit({ ...input(['two@example.org']), raw: RAW('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', 'x@y') })
    const all = await p.list()
    expect(all.map((m) => m.envelope.to[0])).toEqual(['two@example.org', 'one@example.org'])
    expect(all[0]!.subject).toBe('Grüße')
    expect((await p.list({ to: 'ONE@' })).map((m) => m.envelope.to[0])).toEqual(['one@example.org'])
    expect((await p.list({ subject: 'grü' })).length).toBe(1)
    expect((await p.list({ from: 'nobody' })).length).toBe(0)
    expect((await p.list({ limit: 1, offset: 1 })).map((m) => m.envelope.to[0])).toEqual(['one@example.org'])
  })
})

describe('capture', () => {
  it('marks every entry delivered, once, with events', async () => {
    const { p, events } = await setup()
    const m = await p.submit(input())
    const w1 = startWorker(p, { mode: 'capture', pollMs: 60_000 })
    const w2 = startWorker(p, { mode: 'capture', pollMs: 60_000 })
    await Promise.all([w1.runOnce(), w2.runOnce()])
    await w1.stop()
    await w2.stop()
    const got = await p.get(m.id)
    expect(got!.recipients.map((r) => [r.state, r.attempts, r.lastResponse])).toEqual([
      ['delivered', 1, 'captured'],
      ['delivered', 1, 'captured'],
    ])
    expect(events.filter((e) => e.type === 'delivered')).toHaveLength(2)
  })
})

describe('relay', () => {
  it('retries a 4xx with backoff, then delivers', async () => {
    const { p, clock, events } = await setup()
    const relay = scripted([{ kind: 'temporary', response: '451 4.3.0 try later', code: 451 }])
    const w = startWorker(p, { mode: 'relay', relay, pollMs: 60_000, retryDelayMs: 30_000 })
    const m = await p.submit(input(['b@example.org']))
    await w.runOnce()
    let r = (await p.get(m.id))!.recipients[0]!
    expect(r).toMatchObject({ state: 'deferred', attempts: 1, lastResponse: '451 4.3.0 try later' })
    expect(r.nextAttemptAt).toBe(clock.now() + 30_000)
    expect(await w.runOnce()).toBe(0) // not due yet
    clock.advance(30_000)
    await w.runOnce()
    r = (await p.get(m.id))!.recipients[0]!
    expect(r).toMatchObject({ state: 'delivered', attempts: 2, lastResponse: '250 OK' })
    expect(relay.sent.map((s) => [s.from, s.to])).toEqual([
      ['a@example.com', 'b@example.org'],
      ['a@example.com', 'b@example.org'],
    ])
    expect(events.map((e) => e.type)).toEqual(['submitted', 'deferred', 'delivered'])
    await w.stop()
  })

  it('bounces a 5xx with one RFC 3464 DSN to the sender, and never bounces the bounce', async () => {
    const { p, events } = await setup()
    const relay = scripted([
      { kind: 'permanent', response: '550 5.1.1 <b@example.org>: no such user', code: 550 },
      { kind: 'permanent', response: '550 5.1.1 <a@example.com>: no such user', code: 550 },
    ])
    const w = startWorker(p, { mode: 'relay', relay, pollMs: 60_000 })
    const m = await p.submit(input(['b@example.org']))
    await w.runOnce()
    expect((await p.get(m.id))!.recipients[0]).toMatchObject({ state: 'bounced', attempts: 1 })
    const dsns = (await p.list()).filter((x) => x.via === 'dsn')
    expect(dsns).toHaveLength(1)
    const dsn = dsns[0]!
    expect(dsn.envelope).toEqual({ from: '', to: ['a@example.com'] })
    const parsed = await simpleParser(Buffer.from((await p.raw(dsn.id))!))
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status' },
    })
    const raw = Buffer.from((await p.raw(dsn.id))!).toString()
    expect(raw).toContain('Content-Type: message/delivery-status')
    expect(raw).toContain('Final-Recipient: rfc822; b@example.org')
    expect(raw).toContain('Action: failed')
    expect(raw).toContain('Status: 5.1.1')
    expect(raw).toContain('Diagnostic-Code: smtp; 550 5.1.1 <b@example.org>: no such user')
    expect(raw).toContain('Message-ID: <abc@example.com>')
    // The DSN itself is relayed; its 5xx ends it without a bounce for a bounce.
    expect(relay.sent[1]).toMatchObject({ from: '', to: 'a@example.com' })
    expect((await p.get(dsn.id))!.recipients[0]!.state).toBe('bounced')
    expect((await p.list()).filter((x) => x.via === 'dsn')).toHaveLength(1)
    expect(events.filter((e) => e.type === 'bounced')).toHaveLength(2)
    await w.stop()
  })

  it('bounces after too many temporary failures', async () => {
    const { p, clock } = await setup()
    const relay = scripted(Array(3).fill({ kind: 'temporary', response: 'connection refused' }))
    const w = startWorker(p, { mode: 'relay', relay, pollMs: 60_000, retryDelayMs: 1000, maxAttempts: 3 })
    const m = await p.submit(input(['b@example.org']))
    for (let i = 0; i < 3; i++) {
      await w.runOnce()
      clock.advance(10_000)
    }
    expect((await p.get(m.id))!.recipients[0]).toMatchObject({
      state: 'bounced',
      attempts: 3,
      lastResponse: 'gave up after 3 attempts; last: connection refused',
    })
    await w.stop()
  })

  it('takes an entry again when a crashed worker left it delivering past its lease', async () => {
    const { p, clock, storage } = await setup()
    const m = await p.submit(input(['b@example.org']))
    await storage.updateMany({
      model: 'mail_queue',
      where: { field: 'message', value: m.id },
      set: { state: 'delivering', lease_until: clock.now() + 1000 },
    })
    const relay = scripted([])
    const w = startWorker(p, { mode: 'relay', relay, pollMs: 60_000 })
    expect(await w.runOnce()).toBe(0)
    clock.advance(2000)
    expect(await w.runOnce()).toBe(1)
    expect((await p.get(m.id))!.recipients[0]!.state).toBe('delivered')
    await w.stop()
  })
})

describe('admin actions', () => {
  it('discards or bounces a queued entry, not a finished one', async () => {
    const { p } = await setup()
    const m = await p.submit(input())
    const [a, b] = m.recipients
    expect(await p.discard(a!.entryId)).toBe(true)
    expect(await p.discard(a!.entryId)).toBe(false)
    expect(await p.bounce(b!.entryId)).toBe(true)
    expect(await p.bounce(b!.entryId)).toBe(false)
    expect(await p.bounce(999)).toBe(false)
    const got = (await p.get(m.id))!
    expect(got.recipients.map((r) => r.state)).toEqual(['discarded', 'bounced'])
    const dsn = (await p.list()).find((x) => x.via === 'dsn')!
    expect(Buffer.from((await p.raw(dsn.id))!).toString()).toContain('bounced by admin')
  })

  it('lists entries by plugin and state with keyset paging', async () => {
    const { p } = await setup()
    await p.submit(input(['x1@example.org', 'x2@example.org', 'x3@example.org']))
    await p.submit({ ...input(['y@example.org']), plugin: 'tmail' })
    const first = await p.entries({ plugin: 'authsmtp', limit: 2 })
    expect(first.map((e) => e.recipient)).toEqual(['x1@example.org', 'x2@example.org'])
    const rest = await p.entries({ plugin: 'authsmtp', afterId: first[1]!.entryId })
    expect(rest.map((e) => e.recipient)).toEqual(['x3@example.org'])
    expect((await p.entries({ plugin: 'tmail' }))[0]).toMatchObject({
      from: 'a@example.com',
      principal: 'aa12345',
      messageId: 'abc@example.com',
      state: 'queued',
    })
    expect(await p.clear()).toBe(2)
    expect(await p.entries()).toEqual([])
  })
})
