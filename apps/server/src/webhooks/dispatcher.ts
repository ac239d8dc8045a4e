import { randomUUID } from 'node:crypto'
import type { Clock, Logger, StorageAdapter } from '@mailfront/core'
import { VERSION } from '../version.ts'
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.ts'
import {
  claimRow,
  deleteAsRead,
  dueRows,
  heldUnder,
  postponeRow,
  QUEUE,
  type QueueRow,
  releaseRow,
} from './queue.ts'
import { DEFAULT_SCHEDULE, type RetrySchedule, retryDelayMs } from './schedule.ts'
import type { WebhookSettings } from './settings.ts'
import { signWebhook, WEBHOOK_HEADERS } from './signature.ts'

/** The events mailfront sends. */
export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'message.delivered',
  'message.deferred',
  'message.bounced',
  'message.released',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** A delivery's JSON body. */
export interface WebhookEvent {
  id: string
  type: WebhookEventType
  /** ISO time (the server's clock) the change happened. */
  createdAt: string
  data: Record<string, unknown>
}

type EventData = Record<string, unknown> | (() => Promise<Record<string, unknown>>)

export interface DispatcherOptions {
  settings: WebhookSettings
  /** Where the deliveries waiting are kept (migrated with `webhookQueueModels`). */
  storage: StorageAdapter
  clock: Clock
  log: Logger
  deliveries: DeliveryLog
  /**
   * Whether the store outlives the process (default: the adapter's `persistent`, false for `memory:`,
   * `sqlite::memory:` and `pglite:` without a directory). Durable: at stop, what fails or is not reached stays queued for the next start.
   * Not durable: the stop's attempt is the last one, and what is left is dropped, each one logged.
   */
  durable?: boolean
  schedule?: RetrySchedule
  /** One attempt's bound: connecting, sending and the receiver's answer. */
  timeoutMs?: number
  /** Deliveries held at once (first attempts and retries); past it the oldest is dropped and logged. */
  maxQueued?: number
  /** How often (real time) due retries are looked for; a move of the clock also looks at once. */
  pollMs?: number
  /** How long (server clock) a claim holds a row: past it, another instance takes it (its holder died). */
  leaseMs?: number
}

export const WEBHOOK_TIMEOUT_MS = 10_000
export const WEBHOOK_MAX_QUEUED = 10_000
const POLL_MS = 1_000
/** While the store is down, a failed pass is logged at most this often (server clock), with a count. */
const OUTAGE_LOG_MS = 60_000
/** Rows read per look. */
const BATCH = 20

/**
 * Outbound webhooks. Each event is queued once, in the store (it survives a crash or restart; every
 * instance on the store shares the queue), and sent in the background, one at a time in due order,
 * retried on the schedule (read from the server's clock, so a test moves the clock instead of
 * waiting). The instance where the change happened makes the first attempt; a row is claimed for
 * each attempt, so each attempt is made once, and the rows of an instance that died are taken by
 * another when their lease ends. Only the configured URL is ever called, and a redirect is a failed
 * attempt, never followed.
 */
export class WebhookDispatcher {
  /** This instance, as a row's holder. */
  readonly owner = randomUUID()
  private running: Promise<void> | null = null
  private again = false
  private poll: NodeJS.Timeout | undefined
  private accepting = new Set<Promise<void>>()
  private closed = false
  /** Looking every `pollMs` whatever happens (start), or only while this instance holds rows. */
  private started = false
  private holding = false
  /** Passes failed in a row (the store down), and when (server clock) the last was logged. */
  private failing = { count: 0, logged: 0, unlogged: 0 }
  /** Aborted when the bound of the close is reached: the attempt in flight is cut off. */
  private readonly stopping = new AbortController()
  private readonly db: StorageAdapter
  private readonly durable: boolean
  private readonly schedule: RetrySchedule
  private readonly timeoutMs: number
  private readonly maxQueued: number
  private readonly pollMs: number
  private readonly leaseMs: number

  constructor(private readonly o: DispatcherOptions) {
    this.db = o.storage
    this.durable = o.durable ?? o.storage.persistent !== false
    this.schedule = o.schedule ?? DEFAULT_SCHEDULE
    this.timeoutMs = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS
    this.maxQueued = o.maxQueued ?? WEBHOOK_MAX_QUEUED
    this.pollMs = o.pollMs ?? POLL_MS
    // Covers an attempt's bound several times over: a live holder is never overtaken.
    this.leaseMs = o.leaseMs ?? Math.max(60_000, 3 * this.timeoutMs)
  }

  /**
   * Look for due rows now and every `pollMs` after (those an earlier run or another instance left).
   * Without it, looks follow this instance's own events and moves of the clock (for a CLI command).
   */
  start(): void {
    this.started = true
    this.kick()
  }

  /** Deliveries waiting in the store (their first attempt or a retry), of every instance on it. */
  pending(): Promise<number> {
    return this.db.count({ model: QUEUE })
  }

  /**
   * Queue an event when a webhook is configured (else nothing, and `data` is not even read). `data`
   * may be a function reading details from the store: the caller never waits, so the pipeline is
   * never held up by a delivery.
   */
  emit(type: WebhookEventType, at: number, data: EventData): void {
    if (this.closed) return
    const p = this.accept(type, at, data).catch((err) =>
      this.o.log.error({ err, event: type }, 'webhook event could not be queued'),
    )
    this.accepting.add(p)
    p.finally(() => this.accepting.delete(p))
  }

  private async accept(type: WebhookEventType, at: number, data: EventData): Promise<void> {
    if (!(await this.o.settings.current())) return
    const event: WebhookEvent = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type,
      createdAt: new Date(at).toISOString(),
      data: typeof data === 'function' ? await data() : data,
    }
    await this.makeRoom()
    const now = this.o.clock.now()
    // Held by this instance from the start: the first attempt is made where the change happened.
    await this.db.create({
      model: QUEUE,
      data: {
        event_id: event.id,
        type,
        body: JSON.stringify(event),
        attempts: 0,
        due_at: now,
        lease_until: now + this.leaseMs,
        owner: this.owner,
      },
    })
    this.kick()
  }

  /**
   * A bounded table: with `maxQueued` rows, the oldest are dropped (each logged) to make room for one.
   * A row whose attempt is in flight (claimed, its lease on) is skipped: that attempt decides it.
   */
  private async makeRoom(): Promise<void> {
    const over = (await this.db.count({ model: QUEUE })) - this.maxQueued + 1
    if (over <= 0) return
    const oldest = await this.db.findMany<QueueRow>({
      model: QUEUE,
      where: {
        or: [
          { field: 'attempts', value: 0 },
          { field: 'lease_until', op: 'lt', value: this.o.clock.now() },
        ],
      },
      sort: [{ field: 'id' }],
      limit: over,
      select: ['event_id', 'type', 'attempts', 'owner', 'lease_until'],
    })
    for (const r of oldest)
      if (await deleteAsRead(this.db, r)) this.drop(r, `the queue holds at most ${this.maxQueued} deliveries`)
  }

  /** Send every delivery due by the server's clock, in due order; resolves when none is left due. */
  runDue(): Promise<void> {
    if (this.running) {
      // A pass is on: it looks again before it ends; asked just after its last look, another pass follows.
      this.again = true
      return this.running.then(() => (this.again ? this.runDue() : undefined))
    }
    this.running = this.drain().finally(() => {
      this.running = null
      this.schedulePoll()
    })
    return this.running
  }

  /**
   * runDue from a timer or an event: a failure is logged, never an unhandled rejection. While the store
   * is down every poll fails: the first failure is logged, then one line a minute with a count, and
   * one line when a pass succeeds again. Resolves when the pass ends; never rejects.
   */
  kick(): Promise<void> {
    return this.runDue().then(
      () => {
        if (!this.failing.count) return
        this.o.log.info({ failedPasses: this.failing.count }, 'webhook deliveries resumed')
        this.failing = { count: 0, logged: 0, unlogged: 0 }
      },
      (err) => {
        const f = this.failing
        f.count++
        const now = this.o.clock.now()
        if (f.count > 1 && now - f.logged < OUTAGE_LOG_MS && now >= f.logged) {
          f.unlogged++
          return
        }
        if (f.count === 1) this.o.log.error({ err }, 'webhook deliveries failed')
        else
          this.o.log.error(
            { error: (err as Error)?.message, failedPasses: f.count, sinceLastLine: f.unlogged + 1 },
            'webhook deliveries still failing',
          )
        f.logged = now
        f.unlogged = 0
      },
    )
  }

  /** Wait for the events still being queued (their details being read), then for the due sends. */
  async settle(): Promise<void> {
    await this.queued()
    await this.runDue()
  }

  /** Wait for the events still being queued (their details being read), not for their sends. */
  async queued(): Promise<void> {
    await Promise.all([...this.accepting])
  }

  private async drain(): Promise<void> {
    do {
      this.again = false
      for (;;) {
        if (this.closed) return
        const rows = await dueRows(this.db, this.owner, this.o.clock.now(), BATCH)
        let tried = 0
        for (const r of rows) {
          if (this.closed) return
          if (await this.attempt(r)) tried++
        }
        // None left due, or every one was taken by another instance first.
        if (!tried) break
      }
    } while (this.again)
    if (!this.started)
      this.holding = (await this.db.count({ model: QUEUE, where: { field: 'owner', value: this.owner } })) > 0
  }

  private schedulePoll(): void {
    if (this.poll || this.closed || !(this.started || this.holding)) return
    this.poll = setTimeout(() => {
      this.poll = undefined
      this.kick()
    }, this.pollMs)
    this.poll.unref()
  }

  /**
   * One attempt at a row as read; false when it was not made (another instance holds the row).
   * `last`: no retry follows whatever happens (the server is stopping and its store ends with it).
   */
  private async attempt(r: QueueRow, opts: { last?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
    let target: Awaited<ReturnType<WebhookSettings['current']>>
    try {
      target = await this.o.settings.current()
    } catch (err) {
      // The store is unreachable: not an attempt; looked at again at the first retry's delay.
      const postponed = await postponeRow(this.db, r, this.o.clock.now() + this.schedule.firstRetryMs).catch(
        () => null,
      )
      this.o.log.warn({ err, event: r.event_id }, 'webhook settings could not be read: delivery postponed')
      return !!postponed
    }
    if (!target) {
      if (!(await deleteAsRead(this.db, r))) return false
      this.drop(r, 'no webhook is configured any more')
      return true
    }
    const got = await claimRow(this.db, r, this.owner, this.o.clock.now(), this.leaseMs)
    if (!got) return false
    const { claimed: p, lease } = got
    const started = performance.now()
    const at = new Date(this.o.clock.now()).toISOString()
    // Real time, not the movable clock: the receiver compares it with its own clock against replays.
    const timestamp = Math.floor(Date.now() / 1000)
    let status: number | undefined
    let error: string | undefined
    const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs ?? this.timeoutMs))
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': `mailfront-webhooks/${VERSION}`,
          [WEBHOOK_HEADERS.id]: p.event_id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, timestamp, p.body),
        },
        body: p.body,
        // Only the configured URL is ever called: a redirect's Location is not followed.
        redirect: 'manual',
        // A pass's attempt is cut off at the bound of a close; the close's own are bounded by their timeout.
        signal: opts.last
          ? AbortSignal.timeout(timeoutMs)
          : AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      })
      status = res.status
      await res.body?.cancel().catch(() => undefined)
      if (status >= 300 && status < 400) error = `redirect (${status}) not followed`
      else if (status < 200 || status >= 300) error = `HTTP ${status}`
    } catch (e) {
      error = failure(e, timeoutMs)
    }
    const durationMs = Math.round(performance.now() - started)
    const base = {
      eventId: p.event_id,
      type: p.type,
      url: target.url,
      attempt: p.attempts,
      at,
      durationMs,
    }
    const answered = status === undefined ? {} : { status }
    const held = heldUnder(p.id, this.owner, lease)
    const gone = async () => !(await this.db.count({ model: QUEUE, where: { field: 'id', value: p.id } }))
    if (!error) {
      this.o.deliveries.add({ ...base, ...answered, outcome: 'delivered' })
      if (!(await this.db.deleteOne({ model: QUEUE, where: held })) && (await gone()))
        // Sent before a reset (or a full queue) dropped it: received all the same, and said so.
        this.o.log.info(
          { event: p.event_id, type: p.type, attempts: p.attempts, status },
          'webhook delivered: its delivery was dropped meanwhile, the attempt already sent',
        )
      return true
    }
    // No retry follows when it is the stop's last attempt (the store ends with the process), or the
    // close cut it off and nothing keeps the row.
    const cutOff = this.stopping.signal.aborted && !this.durable
    const delay = opts.last || cutOff ? null : retryDelayMs(p.attempts, this.schedule)
    const dueAt = delay === null ? 0 : this.o.clock.now() + delay
    const written =
      delay === null
        ? await this.db.deleteOne({ model: QUEUE, where: held })
        : !!(await this.db.updateOne({ model: QUEUE, where: held, set: { due_at: dueAt, lease_until: 0 } }))
    if (!written && (await gone())) {
      // A reset (or a full queue) dropped the row while the attempt was on: its drop is already
      // logged; this result is the attempt's, not a failure, and nothing retries it.
      this.o.deliveries.add({ ...base, ...answered, error, outcome: 'dropped' })
      this.o.log.info(
        { event: p.event_id, type: p.type, attempts: p.attempts, error },
        'webhook attempt ended: its delivery was dropped meanwhile',
      )
      return true
    }
    if (!written) {
      // Held past its lease (the clock moved far, or this instance stalled): another instance has it now.
      this.o.deliveries.add({ ...base, ...answered, error, outcome: 'retrying' })
      this.o.log.warn({ event: p.event_id, error }, 'webhook delivery failed: another instance retries it')
      return true
    }
    if (delay === null) {
      this.o.deliveries.add({ ...base, ...answered, error, outcome: 'failed' })
      this.o.log.warn(
        { event: p.event_id, type: p.type, attempts: p.attempts, error },
        'webhook delivery failed: no more attempts',
      )
      return true
    }
    this.o.deliveries.add({
      ...base,
      ...answered,
      error,
      outcome: 'retrying',
      nextRetryAt: new Date(dueAt).toISOString(),
    })
    return true
  }

  private drop(r: Pick<QueueRow, 'event_id' | 'type' | 'attempts'>, reason: string): void {
    const entry: DeliveryAttempt = {
      eventId: r.event_id,
      type: r.type,
      url: '',
      attempt: r.attempts,
      durationMs: 0,
      at: new Date(this.o.clock.now()).toISOString(),
      error: reason,
      outcome: 'dropped',
    }
    this.o.deliveries.add(entry)
    this.o.log.warn(
      { event: r.event_id, type: r.type, attempts: r.attempts, reason },
      'webhook delivery dropped',
    )
  }

  /**
   * Drop every delivery waiting (first attempts and retries, of every instance on the store), each
   * one logged with its event id: a reset starts again from nothing, so no event of before it is sent
   * after it. The one exception is an attempt already on the wire (of any instance): it is not cut off,
   * and its result is logged as it is (delivered, or ended after the drop), never retried. Call it
   * before the store is emptied.
   */
  async clear(reason: string): Promise<void> {
    for (;;) {
      const rows = await this.db.findMany<QueueRow>({
        model: QUEUE,
        sort: [{ field: 'id' }],
        limit: 500,
        select: ['event_id', 'type', 'attempts'],
      })
      if (!rows.length) return
      for (const r of rows)
        if (await this.db.deleteOne({ model: QUEUE, where: { field: 'id', value: r.id } }))
          this.drop(r, reason)
    }
  }

  /**
   * Stop: no pass starts or goes on (the one running ends after its attempt in flight), the events
   * being queued are waited for, then every delivery this instance holds gets one attempt now
   * (retries not yet due included), all within `boundMs`, when any attempt still on is cut off.
   * Durable store: what fails is retried on the schedule and what is not reached waits, both kept in
   * the store for the next start (or another instance). Memory store: that attempt is the last, and
   * whatever is left is dropped, each one logged with its event id. Nothing is lost silently.
   */
  async close(boundMs = 5_000): Promise<void> {
    // First: from here a pass finds nothing, so a pass running (or chained) sends no further event.
    this.closed = true
    if (this.poll) clearTimeout(this.poll)
    this.poll = undefined
    const ends = performance.now() + boundMs
    const cutoff = setTimeout(() => this.stopping.abort(new StoppedError()), boundMs)
    try {
      await Promise.all([...this.accepting])
      // A pass chained on the one running may start as it ends: wait until none is on.
      while (this.running) await this.running.catch(() => undefined)
      for (const r of await this.held()) {
        const left = ends - performance.now()
        if (left < 50) break
        await this.attempt(r, { last: !this.durable, timeoutMs: Math.min(this.timeoutMs, left) })
      }
      if (this.durable) {
        const left = await this.held()
        // Released: the next start (or another instance) takes them at once, not when the lease ends.
        for (const r of left) if (r.lease_until) await releaseRow(this.db, r)
        if (left.length)
          this.o.log.info({ waiting: left.length }, 'webhook deliveries kept in the store for the next start')
        return
      }
      for (const r of await this.held())
        if (await deleteAsRead(this.db, r)) this.drop(r, 'the server stopped before it was delivered')
    } catch (err) {
      // The store is down (an outage): the stop goes on (the rest of the server closes); what is in
      // a durable store waits there, with its lease, for the next start.
      this.o.log.error({ err }, 'webhook deliveries could not be settled at the stop')
    } finally {
      clearTimeout(cutoff)
    }
  }

  /** The rows this instance holds (queued or last claimed here), oldest first. */
  private held(): Promise<QueueRow[]> {
    return this.db.findMany<QueueRow>({
      model: QUEUE,
      where: { field: 'owner', value: this.owner },
      sort: [{ field: 'id' }],
      limit: this.maxQueued,
    })
  }
}

/** What cuts off an attempt still on when the bound of the close is reached. */
class StoppedError extends Error {
  override name = 'StoppedError'
  constructor() {
    super('cut off: the server stopped')
  }
}

/** One line for a failed fetch: a timeout, or the connection error's code (ECONNREFUSED, …). */
function failure(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } }
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`
  if (err instanceof StoppedError) return err.message
  return err.cause?.code ?? err.cause?.message ?? err.message
}
