import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createManualClock,
  type Logger,
  memoryAdapter,
  type StorageAdapter,
  silentLogger,
} from '@mailfront/core'
import { openStorage } from '@mailfront/storage-sql'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { event, type Receiver, signedBy, startReceiver } from '../../test/webhook-receiver.ts'
import { DeliveryLog } from './delivery-log.ts'
import { type DispatcherOptions, WebhookDispatcher } from './dispatcher.ts'
import { WebhookSettings, webhookModels } from './settings.ts'
import { verifyWebhook, WEBHOOK_HEADERS } from './signature.ts'

const SECRET = 'dispatcher-test-secret'
const tmp = () => mkdtemp(join(tmpdir(), 'mf-webhooks-'))

/** A logger that keeps its warnings: what is dropped must be said. */
function recordingLog() {
  type Line = { obj: Record<string, unknown>; msg: string }
  const warnings: Line[] = []
  const errors: Line[] = []
  const infos: Line[] = []
  const log = {
    ...silentLogger,
    warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }),
    error: (obj: Record<string, unknown>, msg: string) => errors.push({ obj, msg }),
    info: (obj: Record<string, unknown>, msg: string) => infos.push({ obj, msg }),
  } as unknown as Logger
  return { log, warnings, errors, infos }
}

let receiver: Receiver
let storage: StorageAdapter
let clock: ReturnType<typeof createManualClock>
beforeEach(async () => {
  receiver = await startReceiver()
  storage = memoryAdapter()
  await storage.migrate(webhookModels)
  clock = createManualClock()
})
afterEach(async () => {
  await receiver.close()
  await storage.close()
})

function dispatcher(opts: Partial<DispatcherOptions> & { url?: string | null } = {}) {
  const { log, warnings, errors, infos } = recordingLog()
  const url = opts.url === undefined ? receiver.url : opts.url
  const store = opts.storage ?? storage
  const settings = new WebhookSettings(store, url ? { url, secret: SECRET } : undefined)
  const deliveries = new DeliveryLog(100)
  const d = new WebhookDispatcher({ settings, storage: store, clock, log, deliveries, ...opts })
  return { d, deliveries, warnings, errors, infos, settings }
}

describe('the webhook dispatcher', () => {
  it('posts the event as JSON with its id, timestamp and signature headers', async () => {
    const { d, deliveries } = dispatcher()
    d.emit('message.received', clock.now(), { message: { id: 'm1' } })
    await d.settle()
    const [r] = receiver.received
    expect(r!.path).toBe('/hooks/mailfront')
    expect(r!.headers['content-type']).toBe('application/json')
    const e = event(r!)
    expect(e).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'message.received',
      createdAt: new Date(clock.now()).toISOString(),
      data: { message: { id: 'm1' } },
    })
    expect(r!.headers[WEBHOOK_HEADERS.id.toLowerCase()]).toBe(e.id)
    const sig = {
      timestamp: r!.headers['mailfront-webhook-timestamp'] as string,
      signature: r!.headers['mailfront-webhook-signature'] as string,
    }
    expect(verifyWebhook(SECRET, sig, r!.body)).toBe(true)
    expect(deliveries.list()).toEqual([
      expect.objectContaining({
        eventId: e.id,
        attempt: 1,
        status: 200,
        outcome: 'delivered',
        url: receiver.url,
      }),
    ])
    expect(await d.pending()).toBe(0)
  })

  it('retries a 500 on the schedule of the clock (moved, never waited for), the same body each time', async () => {
    const { d, deliveries } = dispatcher()
    receiver.answer(500, 503)
    d.emit('message.bounced', clock.now(), { recipient: 'x@example.org' })
    await d.settle()
    expect(receiver.received).toHaveLength(1)
    expect(deliveries.list()[0]).toMatchObject({
      attempt: 1,
      status: 500,
      error: 'HTTP 500',
      outcome: 'retrying',
      nextRetryAt: new Date(clock.now() + 10_000).toISOString(),
    })
    clock.advance(9_999)
    await d.runDue()
    expect(receiver.received).toHaveLength(1) // not due yet
    clock.advance(1)
    await d.runDue()
    expect(deliveries.list()[0]).toMatchObject({ attempt: 2, status: 503, outcome: 'retrying' })
    clock.advance(20_000)
    await d.runDue()
    expect(receiver.received).toHaveLength(3)
    expect(deliveries.list()[0]).toMatchObject({ attempt: 3, status: 200, outcome: 'delivered' })
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1)
    expect(new Set(receiver.received.map((r) => r.headers['mailfront-webhook-id'])).size).toBe(1)
    for (const r of receiver.received) expect(signedBy(SECRET, r)).toBe(true)
  })

  it('gives up after the last attempt, and says so in the log', async () => {
    const { d, deliveries, warnings } = dispatcher({
      schedule: { maxAttempts: 3, firstRetryMs: 1_000, maxRetryMs: 1_000 },
    })
    receiver.answer(500, 500, 500, 500)
    d.emit('message.deferred', clock.now(), {})
    await d.settle()
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000)
      await d.runDue()
    }
    expect(receiver.received).toHaveLength(3)
    expect(deliveries.list().map((a) => [a.attempt, a.outcome])).toEqual([
      [3, 'failed'],
      [2, 'retrying'],
      [1, 'retrying'],
    ])
    expect(deliveries.list()[0]!.nextRetryAt).toBeUndefined()
    expect(await d.pending()).toBe(0)
    expect(warnings).toEqual([expect.objectContaining({ msg: 'webhook delivery failed: no more attempts' })])
  })

  it('never follows a redirect: a 3xx is a failed attempt, the Location is not called', async () => {
    const { d, deliveries } = dispatcher()
    receiver.answer(302)
    d.emit('message.delivered', clock.now(), {})
    await d.settle()
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks/mailfront'])
    expect(deliveries.list()[0]).toMatchObject({
      status: 302,
      error: 'redirect (302) not followed',
      outcome: 'retrying',
    })
  })

  it('counts a timeout and a refused connection as failures to retry', async () => {
    receiver.hang()
    const slow = dispatcher({ timeoutMs: 200 })
    slow.d.emit('message.received', clock.now(), {})
    await slow.d.settle()
    expect(slow.deliveries.list()[0]).toMatchObject({ error: 'timed out after 200 ms', outcome: 'retrying' })
    expect(slow.deliveries.list()[0]!.status).toBeUndefined()

    const closed = await startReceiver()
    const url = closed.url
    await closed.close()
    const refused = dispatcher({ url })
    refused.d.emit('message.received', clock.now(), {})
    await refused.d.settle()
    expect(refused.deliveries.list()[0]).toMatchObject({ error: 'ECONNREFUSED', outcome: 'retrying', url })
  })

  it('queues nothing without a webhook, and drops what is left when it is removed', async () => {
    const none = dispatcher({ url: null })
    let read = 0
    // Without a webhook the event's details are never read (no store read per pipeline event).
    none.d.emit('message.received', clock.now(), async () => {
      read++
      return {}
    })
    await none.d.settle()
    expect(read).toBe(0)
    expect(await none.d.pending()).toBe(0)
    expect(none.deliveries.list()).toEqual([])
    // On the same store: its looks for due rows must not take the other's.
    await none.d.close()

    const { d, deliveries, settings, warnings } = dispatcher({ url: null })
    await settings.set(receiver.url, SECRET, clock.now())
    receiver.answer(500)
    d.emit('message.received', clock.now(), {})
    await d.settle()
    await settings.remove()
    clock.advance(10_000)
    await d.runDue()
    expect(receiver.received).toHaveLength(1)
    expect(deliveries.list()[0]).toMatchObject({
      outcome: 'dropped',
      error: 'no webhook is configured any more',
    })
    expect(warnings.map((w) => w.msg)).toEqual(['webhook delivery dropped'])
  })

  it('holds at most maxQueued deliveries: the oldest is dropped and logged', async () => {
    const { d, deliveries, warnings } = dispatcher({ maxQueued: 2 })
    receiver.answer(500, 500, 500)
    for (let i = 0; i < 3; i++) {
      d.emit('message.received', clock.now(), { n: i })
      await d.settle()
    }
    expect(await d.pending()).toBe(2)
    const dropped = deliveries.list().filter((a) => a.outcome === 'dropped')
    expect(dropped).toEqual([expect.objectContaining({ error: 'the queue holds at most 2 deliveries' })])
    expect(dropped[0]!.eventId).toBe(event(receiver.received[0]!).id)
    expect(warnings).toHaveLength(1)
  })

  it('at close, tries each held delivery once more within the bound, and logs each one it drops', async () => {
    const { d, deliveries, warnings } = dispatcher()
    receiver.answer(500, 500, 200, 500)
    d.emit('message.received', clock.now(), { n: 1 })
    d.emit('message.received', clock.now(), { n: 2 })
    await d.settle()
    expect(await d.pending()).toBe(2)
    // Not due for 10 s: the close sends them anyway, once. The first gets 200, the second 500.
    await d.close(5_000)
    expect(receiver.received).toHaveLength(4)
    expect(await d.pending()).toBe(0)
    const outcomes = deliveries.list().map((a) => a.outcome)
    expect(outcomes.slice(0, 2)).toEqual(['failed', 'delivered'])
    expect(warnings.map((w) => w.msg)).toEqual(['webhook delivery failed: no more attempts'])
    // Nothing is queued after the close.
    d.emit('message.received', clock.now(), {})
    await d.settle()
    expect(await d.pending()).toBe(0)
  })

  it('drops what the bound of the close leaves unsent, each one logged with its event id', async () => {
    const { d, deliveries, warnings } = dispatcher()
    receiver.answer(500, 500)
    d.emit('message.received', clock.now(), { n: 1 })
    d.emit('message.received', clock.now(), { n: 2 })
    await d.settle()
    receiver.hang()
    await d.close(300)
    expect(await d.pending()).toBe(0)
    const [last, before] = deliveries.list()
    expect(before).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/^timed out after \d+ ms$/),
    })
    expect(last).toMatchObject({ outcome: 'dropped', error: 'the server stopped before it was delivered' })
    expect(warnings.at(-1)).toEqual({
      msg: 'webhook delivery dropped',
      obj: {
        event: last!.eventId,
        type: 'message.received',
        attempts: 1,
        reason: 'the server stopped before it was delivered',
      },
    })
  })

  it('stops within the bound of the close while a pass is sending to a receiver that never answers, each event sent at most once', async () => {
    const { d, deliveries } = dispatcher({ timeoutMs: 2_000 })
    receiver.hang()
    for (let i = 0; i < 6; i++) d.emit('message.received', clock.now(), { n: i })
    // A pass is on, its first attempt held by the receiver.
    await receiver.until((r) => r.length === 1, 'the first attempt')
    const started = performance.now()
    await d.close(300)
    // Generous: the bound is 300 ms; before, the pass went on through every event (2 s each).
    expect(performance.now() - started).toBeLessThan(2_000)
    const ids = receiver.received.map((r) => event(r).id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(await d.pending()).toBe(0)
    const list = deliveries.list()
    expect(list.find((a) => a.attempt === 1 && a.outcome !== 'dropped')).toMatchObject({
      outcome: 'failed',
      error: 'cut off: the server stopped',
    })
    expect(list.filter((a) => a.outcome === 'dropped')).toHaveLength(5)
  })

  it('a pass running as the close begins ends before the last attempts: no event is sent twice', async () => {
    const { d } = dispatcher({ timeoutMs: 5_000 })
    receiver.answer(500, 500, 500)
    for (let i = 0; i < 3; i++) d.emit('message.received', clock.now(), { n: i })
    await d.settle()
    expect(await d.pending()).toBe(3)
    // Due again, a pass running and another asked for (chained) as the close starts.
    clock.advance(10_000)
    d.kick()
    d.kick()
    await d.close(5_000)
    const ids = receiver.received.slice(3).map((r) => event(r).id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(await d.pending()).toBe(0)
  })

  it('clear drops every delivery waiting (first attempts and retries), each one logged with its event id', async () => {
    const { d, deliveries, warnings } = dispatcher()
    receiver.answer(500, 500)
    d.emit('message.received', clock.now(), { n: 1 })
    d.emit('message.received', clock.now(), { n: 2 })
    await d.settle()
    expect(await d.pending()).toBe(2)
    await d.clear('the server was reset')
    expect(await d.pending()).toBe(0)
    const ids = receiver.received.map((r) => event(r).id)
    expect(warnings.map((w) => w.obj.event).sort()).toEqual([...ids].sort())
    expect(warnings.map((w) => w.obj.reason)).toEqual(['the server was reset', 'the server was reset'])
    expect(
      deliveries
        .list()
        .slice(0, 2)
        .map((a) => a.outcome),
    ).toEqual(['dropped', 'dropped'])
    // Nothing of before is sent later, and the dispatcher goes on with new events.
    clock.advance(3_600_000)
    await d.runDue()
    expect(receiver.received).toHaveLength(2)
    d.emit('message.received', clock.now(), { n: 3 })
    await d.settle()
    expect(event(receiver.received[2]!).data).toEqual({ n: 3 })
  })

  it('an attempt in flight when clear drops its delivery ends as dropped meanwhile: no failure line, no retry', async () => {
    const { d, deliveries, warnings, infos } = dispatcher()
    receiver.hang()
    d.emit('message.received', clock.now(), {})
    await receiver.until((r) => r.length === 1, 'the first attempt')
    await d.clear('the server was reset')
    receiver.release(500)
    await d.settle()
    expect(await d.pending()).toBe(0)
    const id = event(receiver.received[0]!).id
    expect(deliveries.list()).toEqual([
      expect.objectContaining({
        eventId: id,
        attempt: 1,
        status: 500,
        error: 'HTTP 500',
        outcome: 'dropped',
      }),
      expect.objectContaining({ eventId: id, outcome: 'dropped', error: 'the server was reset' }),
    ])
    expect(warnings.map((w) => w.msg)).toEqual(['webhook delivery dropped'])
    expect(infos.map((i) => i.msg)).toEqual(['webhook attempt ended: its delivery was dropped meanwhile'])
    clock.advance(3_600_000)
    await d.runDue()
    expect(receiver.received).toHaveLength(1)
  })

  it('an attempt in flight when clear drops its delivery that gets a 2xx is recorded as delivered (sent before the reset)', async () => {
    const { d, deliveries, warnings, infos } = dispatcher()
    receiver.hang()
    d.emit('message.received', clock.now(), {})
    await receiver.until((r) => r.length === 1, 'the first attempt')
    await d.clear('the server was reset')
    receiver.release(200)
    await d.settle()
    expect(deliveries.list().map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'delivered'],
      [1, 'dropped'],
    ])
    expect(warnings.map((w) => w.msg)).toEqual(['webhook delivery dropped'])
    expect(infos.map((i) => i.msg)).toEqual([
      'webhook delivered: its delivery was dropped meanwhile, the attempt already sent',
    ])
  })

  it('a full queue never drops a delivery whose attempt is in flight', async () => {
    const { d, deliveries, warnings } = dispatcher({ maxQueued: 1 })
    receiver.hang()
    d.emit('message.received', clock.now(), { n: 1 })
    await receiver.until((r) => r.length === 1, 'the first attempt')
    d.emit('message.received', clock.now(), { n: 2 })
    await d.queued()
    // The first is on the wire: it is not the one dropped (its attempt decides it).
    expect(await d.pending()).toBe(2)
    expect(deliveries.list()).toEqual([])
    receiver.hang(false)
    receiver.release(200)
    await d.settle()
    expect(deliveries.list().map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'delivered'],
      [1, 'delivered'],
    ])
    expect(receiver.received.map((r) => event(r).data.n)).toEqual([1, 2])
    expect(warnings).toEqual([])
  })

  it('postpones a delivery while its settings cannot be read (the store down), without counting an attempt', async () => {
    const { d, deliveries, settings, warnings } = dispatcher()
    receiver.answer(500)
    d.emit('message.received', clock.now(), {})
    await d.settle()
    const read = settings.current.bind(settings)
    let down = true
    settings.current = async () => {
      if (down) throw new Error('store unreachable')
      return read()
    }
    clock.advance(10_000)
    await d.runDue()
    expect(receiver.received).toHaveLength(1)
    expect(await d.pending()).toBe(1)
    expect(warnings.map((w) => w.msg)).toEqual(['webhook settings could not be read: delivery postponed'])
    down = false
    clock.advance(10_000)
    await d.runDue()
    expect(deliveries.list()[0]).toMatchObject({ attempt: 2, outcome: 'delivered' })
  })

  it('a pass asked for while one runs is not lost: each emitted event is sent', async () => {
    const { d } = dispatcher()
    for (let i = 0; i < 5; i++) d.emit('message.received', clock.now(), { n: i })
    await d.settle()
    expect(receiver.received.map((r) => event(r).data.n).sort()).toEqual([0, 1, 2, 3, 4])
    expect(await d.pending()).toBe(0)
  })

  it('durable store: what fails at the stop waits in the store, and the next run sends it on the schedule, the same bytes', async () => {
    const before = dispatcher({ durable: true })
    receiver.answer(500, 500)
    before.d.emit('message.bounced', clock.now(), { recipient: 'x@example.org' })
    await before.d.settle()
    // The stop tries the retry now (not due yet); it fails, so it stays in the store on its schedule.
    await before.d.close(5_000)
    expect(receiver.received).toHaveLength(2)
    expect(before.deliveries.list().map((a) => [a.attempt, a.outcome])).toEqual([
      [2, 'retrying'],
      [1, 'retrying'],
    ])
    expect(before.warnings).toEqual([])
    expect(await before.d.pending()).toBe(1)

    const after = dispatcher({ durable: true })
    clock.advance(19_999)
    await after.d.runDue()
    expect(receiver.received).toHaveLength(2) // the schedule holds across the restart
    clock.advance(1)
    await after.d.runDue()
    expect(after.deliveries.list()[0]).toMatchObject({ attempt: 3, status: 200, outcome: 'delivered' })
    expect(await after.d.pending()).toBe(0)
    expect(receiver.received).toHaveLength(3)
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1)
    for (const r of receiver.received) expect(signedBy(SECRET, r)).toBe(true)
    await after.d.close()
  })

  it('durable store: an event queued just before the stop gets its first attempt at the stop', async () => {
    const { d, deliveries } = dispatcher({ durable: true })
    receiver.answer(500)
    d.emit('message.received', clock.now(), {})
    await d.close(5_000)
    // Failed: retried on the schedule by the next run, kept in the store.
    expect(deliveries.list()).toEqual([expect.objectContaining({ attempt: 1, outcome: 'retrying' })])
    expect(await d.pending()).toBe(1)
  })

  it('a row held by an instance that died mid-attempt is taken by another once its lease ends, sent once more', async () => {
    receiver.hang()
    const dead = dispatcher({ timeoutMs: 600_000, leaseMs: 30_000 })
    dead.d.emit('message.delivered', clock.now(), { n: 1 })
    await receiver.until((r) => r.length === 1, 'the first attempt')
    // `dead` never answers again (its attempt hangs): as if the process was killed mid-attempt.
    receiver.hang(false)
    const other = dispatcher({ leaseMs: 30_000 })
    await other.d.runDue()
    expect(receiver.received).toHaveLength(1) // still held under the lease
    clock.advance(29_999)
    await other.d.runDue()
    expect(receiver.received).toHaveLength(1)
    clock.advance(2)
    await other.d.runDue()
    expect(receiver.received).toHaveLength(2)
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body)
    // The attempt cut off by the death counts: this one is the second.
    expect(other.deliveries.list()).toEqual([
      expect.objectContaining({
        eventId: event(receiver.received[0]!).id,
        attempt: 2,
        outcome: 'delivered',
      }),
    ])
    expect(await other.d.pending()).toBe(0)
    await other.d.close()
  })

  it('an attempt whose lease ran out meanwhile leaves the row to the instance that took it', async () => {
    receiver.hang()
    const slow = dispatcher({ timeoutMs: 3_000, leaseMs: 30_000 })
    slow.d.emit('message.delivered', clock.now(), {})
    await receiver.until((r) => r.length === 1, 'the first attempt')
    receiver.hang(false)
    receiver.answer(500)
    const other = dispatcher({ leaseMs: 30_000 })
    clock.advance(30_001)
    await other.d.runDue()
    expect(other.deliveries.list()[0]).toMatchObject({ attempt: 2, status: 500, outcome: 'retrying' })
    // The slow attempt ends (timed out): not a retry of its own, not a failure: the other holds it.
    await slow.d.settle()
    expect(slow.deliveries.list()).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'retrying', error: 'timed out after 3000 ms' }),
    ])
    expect(slow.deliveries.list()[0]!.nextRetryAt).toBeUndefined()
    expect(slow.warnings.map((w) => w.msg)).toEqual(['webhook delivery failed: another instance retries it'])
    expect(await other.d.pending()).toBe(1)
    clock.advance(20_000) // the wait after a second failure
    await other.d.runDue()
    expect(other.deliveries.list()[0]).toMatchObject({ attempt: 3, status: 200, outcome: 'delivered' })
    expect(receiver.received).toHaveLength(3)
    await slow.d.close()
    await other.d.close()
  })

  it('close with the store down logs and resolves: the rest of the stop goes on', async () => {
    const { d, errors } = dispatcher({ durable: true })
    receiver.answer(500)
    d.emit('message.received', clock.now(), {})
    await d.settle()
    const down = () => Promise.reject(new Error('store unreachable'))
    Object.assign(storage, { findMany: down, updateOne: down, deleteOne: down, count: down })
    await expect(d.close(1_000)).resolves.toBeUndefined()
    expect(errors.map((e) => e.msg)).toEqual(['webhook deliveries could not be settled at the stop'])
  })

  it('a pass failing on every poll (the store down) is logged once, then once a minute with a count, then its recovery', async () => {
    const { d, errors, infos } = dispatcher()
    d.emit('message.received', clock.now(), {})
    await d.settle()
    const findMany = storage.findMany.bind(storage)
    storage.findMany = () => Promise.reject(new Error('store unreachable'))
    for (let i = 0; i < 5; i++) {
      await d.kick()
      clock.advance(1_000)
    }
    expect(errors.map((e) => e.msg)).toEqual(['webhook deliveries failed'])
    clock.advance(55_000)
    await d.kick()
    expect(errors.map((e) => e.msg)).toEqual([
      'webhook deliveries failed',
      'webhook deliveries still failing',
    ])
    expect(errors[1]!.obj).toEqual({ error: 'store unreachable', failedPasses: 6, sinceLastLine: 5 })
    await d.kick()
    expect(errors).toHaveLength(2)
    storage.findMany = findMany
    await d.kick()
    expect(infos).toEqual([{ msg: 'webhook deliveries resumed', obj: { failedPasses: 7 } }])
    await d.kick()
    expect(infos).toHaveLength(1)
    expect(errors).toHaveLength(2)
  })

  it('durable store: at the stop, the rows not attempted are released, so the next start sends them at once', async () => {
    const before = dispatcher({ durable: true })
    before.d.emit('message.received', clock.now(), { n: 1 })
    // The bound leaves no time for an attempt: the row waits in the store.
    await before.d.close(10)
    expect(receiver.received).toHaveLength(0)
    expect(await before.d.pending()).toBe(1)
    const after = dispatcher({ durable: true })
    await after.d.runDue()
    expect(receiver.received).toHaveLength(1)
    expect(after.deliveries.list()).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered' })])
    await after.d.close()
  })
})

describe('the durability of the store decides what a stop keeps', () => {
  for (const [name, open, durable] of [
    ['memory:', async () => memoryAdapter(), false],
    ['sqlite::memory:', () => openStorage('sqlite::memory:'), false],
    ['a SQLite file', async () => openStorage(`sqlite:${join(await tmp(), 'db.sqlite')}`), true],
    // (pglite:DIR is durable as a SQLite file is: its initdb on disk is too slow for a unit test.)
    ['pglite: (in memory)', () => openStorage('pglite:'), false],
  ] as const)
    it(`${name}: ${durable ? 'what fails at the stop is kept' : 'the stop drops what is left, each one logged'}`, async () => {
      const store = await open()
      try {
        await store.migrate(webhookModels)
        expect(store.persistent !== false).toBe(durable)
        const { d, deliveries, warnings, infos } = dispatcher({ storage: store })
        receiver.answer(500, 500)
        d.emit('message.received', clock.now(), {})
        await d.settle()
        await d.close(5_000)
        expect(await d.pending()).toBe(durable ? 1 : 0)
        expect(deliveries.list()[0]).toMatchObject({ attempt: 2, outcome: durable ? 'retrying' : 'failed' })
        if (durable) {
          expect(warnings).toEqual([])
          expect(infos.map((i) => i.msg)).toEqual(['webhook deliveries kept in the store for the next start'])
        } else expect(warnings.map((w) => w.msg)).toEqual(['webhook delivery failed: no more attempts'])
      } finally {
        await store.close()
      }
    }, 120_000)
})
