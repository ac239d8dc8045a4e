import { randomUUID } from 'node:crypto'
import type { Clock, Logger } from '@mailfront/core'
import { VERSION } from '../version.ts'
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.ts'
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

interface Pending {
  event: WebhookEvent
  /** Serialised once: every retry sends (and signs) the same bytes. */
  body: string
  attempts: number
  /** Server-clock ms when the next attempt is due. */
  dueAt: number
}

export interface DispatcherOptions {
  settings: WebhookSettings
  clock: Clock
  log: Logger
  deliveries: DeliveryLog
  schedule?: RetrySchedule
  /** One attempt's bound: connecting, sending and the receiver's answer. */
  timeoutMs?: number
  /** Deliveries held at once (first attempts and retries); past it the oldest is dropped and logged. */
  maxQueued?: number
  /** How often (real time) due retries are looked for; a move of the clock also looks at once. */
  pollMs?: number
}

export const WEBHOOK_TIMEOUT_MS = 10_000
export const WEBHOOK_MAX_QUEUED = 10_000
const POLL_MS = 1_000

/**
 * Outbound webhooks, in memory on the instance where the change happened: each event is queued once
 * (where it happened), sent in the background, one at a time in due order, retried on the schedule
 * (read from the server's clock, so a test moves the clock instead of waiting). Only the configured
 * URL is ever called, and a redirect is a failed attempt, never followed.
 */
export class WebhookDispatcher {
  private queue: Pending[] = []
  private running: Promise<void> | null = null
  private again = false
  private poll: NodeJS.Timeout | undefined
  private accepting = new Set<Promise<void>>()
  private closed = false
  /** Aborted when the bound of the close is reached: the attempt in flight is cut off. */
  private readonly stopping = new AbortController()
  private readonly schedule: RetrySchedule
  private readonly timeoutMs: number
  private readonly maxQueued: number
  private readonly pollMs: number

  constructor(private readonly o: DispatcherOptions) {
    this.schedule = o.schedule ?? DEFAULT_SCHEDULE
    this.timeoutMs = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS
    this.maxQueued = o.maxQueued ?? WEBHOOK_MAX_QUEUED
    this.pollMs = o.pollMs ?? POLL_MS
  }

  /** Deliveries waiting (their first attempt or a retry). */
  pending(): number {
    return this.queue.length
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
    if (this.queue.length >= this.maxQueued) {
      const old = this.queue.shift()!
      this.drop(old, `the queue holds at most ${this.maxQueued} deliveries`)
    }
    this.queue.push({ event, body: JSON.stringify(event), attempts: 0, dueAt: this.o.clock.now() })
    this.kick()
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
    })
    return this.running
  }

  /** runDue from a timer or an event: a failure is logged, never an unhandled rejection. */
  kick(): void {
    this.runDue().catch((err) => this.o.log.error({ err }, 'webhook deliveries failed'))
  }

  /** Wait for the events still being queued (their details being read), then for the due sends. */
  async settle(): Promise<void> {
    await Promise.all([...this.accepting])
    await this.runDue()
  }

  private async drain(): Promise<void> {
    do {
      this.again = false
      for (let next = this.nextDue(); next; next = this.nextDue()) await this.attempt(next)
    } while (this.again)
    this.schedulePoll()
  }

  private nextDue(): Pending | undefined {
    if (this.closed) return undefined
    const now = this.o.clock.now()
    let best: Pending | undefined
    for (const p of this.queue) if (p.dueAt <= now && (!best || p.dueAt < best.dueAt)) best = p
    return best
  }

  private schedulePoll(): void {
    if (this.poll || this.closed || !this.queue.length) return
    this.poll = setTimeout(() => {
      this.poll = undefined
      this.kick()
    }, this.pollMs)
    this.poll.unref()
  }

  /** One attempt; `last`: no retry follows whatever happens (the server is stopping). */
  private async attempt(p: Pending, opts: { last?: boolean; timeoutMs?: number } = {}): Promise<void> {
    let target: Awaited<ReturnType<WebhookSettings['current']>>
    try {
      target = await this.o.settings.current()
    } catch (err) {
      // The store is unreachable: not an attempt; looked at again at the first retry's delay.
      p.dueAt = this.o.clock.now() + this.schedule.firstRetryMs
      this.o.log.warn({ err, event: p.event.id }, 'webhook settings could not be read: delivery postponed')
      return
    }
    if (!target) {
      this.remove(p)
      this.drop(p, 'no webhook is configured any more')
      return
    }
    p.attempts++
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
          [WEBHOOK_HEADERS.id]: p.event.id,
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
      eventId: p.event.id,
      type: p.event.type,
      url: target.url,
      attempt: p.attempts,
      at,
      durationMs,
    }
    const answered = status === undefined ? {} : { status }
    if (!error) {
      this.remove(p)
      this.o.deliveries.add({ ...base, ...answered, outcome: 'delivered' })
      return
    }
    // No retry follows when the close cut it off, or a clear (a reset) dropped it while it was on.
    const last = opts.last || this.stopping.signal.aborted || !this.queue.includes(p)
    const delay = last ? null : retryDelayMs(p.attempts, this.schedule)
    if (delay === null) {
      this.remove(p)
      this.o.deliveries.add({ ...base, ...answered, error, outcome: 'failed' })
      this.o.log.warn(
        { event: p.event.id, type: p.event.type, attempts: p.attempts, error },
        'webhook delivery failed: no more attempts',
      )
      return
    }
    p.dueAt = this.o.clock.now() + delay
    this.o.deliveries.add({
      ...base,
      ...answered,
      error,
      outcome: 'retrying',
      nextRetryAt: new Date(p.dueAt).toISOString(),
    })
  }

  private remove(p: Pending): void {
    const i = this.queue.indexOf(p)
    if (i >= 0) this.queue.splice(i, 1)
  }

  private drop(p: Pending, reason: string): void {
    const entry: DeliveryAttempt = {
      eventId: p.event.id,
      type: p.event.type,
      url: '',
      attempt: p.attempts,
      durationMs: 0,
      at: new Date(this.o.clock.now()).toISOString(),
      error: reason,
      outcome: 'dropped',
    }
    this.o.deliveries.add(entry)
    this.o.log.warn(
      { event: p.event.id, type: p.event.type, attempts: p.attempts, reason },
      'webhook delivery dropped',
    )
  }

  /**
   * Drop every delivery waiting (first attempts and retries), each one logged with its event id: a
   * reset starts again from nothing, so no event of before it is sent after it.
   */
  clear(reason: string): void {
    for (const p of this.queue.splice(0)) this.drop(p, reason)
  }

  /**
   * Stop: no pass starts or goes on (the one running ends after its attempt in flight), the events
   * being queued are waited for, then every delivery still held gets one last attempt (retries not yet
   * due included); all within `boundMs`, when any attempt still on is cut off. Whatever is left is
   * dropped, each one logged with its event id. Nothing is lost silently.
   */
  async close(boundMs = 5_000): Promise<void> {
    // First: from here nextDue finds nothing, so a pass running (or chained) sends no further event.
    this.closed = true
    if (this.poll) clearTimeout(this.poll)
    this.poll = undefined
    const ends = performance.now() + boundMs
    const cutoff = setTimeout(() => this.stopping.abort(new StoppedError()), boundMs)
    try {
      await Promise.all([...this.accepting])
      // A pass chained on the one running may start as it ends: wait until none is on.
      while (this.running) await this.running.catch(() => undefined)
      for (const p of [...this.queue]) {
        const left = ends - performance.now()
        if (left < 50) break
        await this.attempt(p, { last: true, timeoutMs: Math.min(this.timeoutMs, left) })
      }
    } finally {
      clearTimeout(cutoff)
    }
    for (const p of this.queue.splice(0)) this.drop(p, 'the server stopped before it was delivered')
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
