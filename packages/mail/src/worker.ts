import { captureAll } from './capture.ts'
import { type BodyCache, deliverOne } from './deliver.ts'
import { localSender, type Send } from './local.ts'
import type { EntryRow } from './models.ts'
import type { RetrySchedule } from './outcome.ts'
import { dueEntries } from './queue-claim.ts'
import type { Relay } from './relay.ts'
import type { MailPipeline } from './service.ts'
import { SIMULATOR } from './simulator.ts'

export { retryDelay } from './outcome.ts'

export interface WorkerOptions extends Partial<RetrySchedule> {
  /** `capture`: stored and marked delivered; `relay`: sent through `relay`. */
  mode: 'capture' | 'relay'
  relay?: Relay
  /** How often to look for due entries (other instances' submits, retries). */
  pollMs?: number
  /** After a submit on this instance, wait this long before a round, so a burst is one batch. */
  wakeDelayMs?: number
  /** Entries claimed per round. */
  batch?: number
  /** Parallel deliveries in relay mode. */
  concurrency?: number
  /** How long a claim holds before another instance may take the entry again. */
  leaseMs?: number
}

export interface Worker {
  /** One round: claim what is due and deliver it; returns how many entries it handled. */
  runOnce(): Promise<number>
  stop(): Promise<void>
}

/**
 * The delivery worker's loop: a round claims what is due (queue-claim.ts) and delivers it
 * (capture.ts, deliver.ts); rounds run on a poll timer and shortly after a submit on this instance,
 * never two at once. Every instance runs one.
 */
export function startWorker(p: MailPipeline, o: WorkerOptions): Worker {
  const pollMs = o.pollMs ?? 1000
  const batch = o.batch ?? 200
  const concurrency = o.concurrency ?? 4
  const attempt = {
    leaseMs: o.leaseMs ?? 5 * 60_000,
    retryDelayMs: o.retryDelayMs ?? 60_000,
    maxRetryDelayMs: o.maxRetryDelayMs ?? 3_600_000,
    maxAttempts: o.maxAttempts ?? 10,
  }
  if (o.mode === 'relay' && !o.relay) throw new Error('relay mode needs a relay')

  let stopped = false
  let running: Promise<number> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined

  const relaySend: Send = (e, bytes) =>
    o.relay!.send({ from: e.mail_from, to: e.rcpt }, bytes).catch((err: Error) => ({
      kind: 'temporary' as const,
      response: `relay error: ${err.message}`,
    }))
  const localSend = localSender(p)
  // Simulator addresses and plugin-hosted recipients are never relayed, whatever the mode.
  const sendFor = (e: EntryRow): Send =>
    e.hosted_by === SIMULATOR ? p.simulator.send : e.hosted_by ? localSend : relaySend

  async function round(): Promise<number> {
    let handled = 0
    for (;;) {
      const rows = await dueEntries(p.storage, p.clock.now(), batch)
      if (!rows.length) return handled
      // Hosted recipients are delivered locally in either mode; the rest as the mode says.
      const one = o.mode === 'capture' ? rows.filter((e) => e.hosted_by) : rows
      if (o.mode === 'capture')
        handled += await captureAll(
          p,
          rows.filter((e) => !e.hosted_by),
        )
      const bodies: BodyCache = new Map()
      let i = 0
      const lanes = Array.from({ length: Math.min(concurrency, one.length) }, async () => {
        while (i < one.length && !stopped) {
          const e = one[i++]!
          if (await deliverOne(p, e, sendFor(e), bodies, attempt)) handled++
        }
      })
      await Promise.all(lanes)
      if (rows.length < batch || stopped) return handled
    }
  }

  function kick() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = round()
      .catch((err) => {
        p.log.error({ err }, 'mail delivery round failed')
        return 0
      })
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          setImmediate(kick)
        }
      })
  }

  const wakeDelayMs = o.wakeDelayMs ?? 20
  let wake: NodeJS.Timeout | undefined
  p.onSubmitted(() => {
    wake ??= setTimeout(() => {
      wake = undefined
      kick()
    }, wakeDelayMs)
  })
  timer = setInterval(kick, pollMs)
  timer.unref()
  setImmediate(kick)

  return {
    async runOnce() {
      while (running) await running
      return round()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      if (wake) clearTimeout(wake)
      timer = undefined
      while (running) await running
      await o.relay?.close()
    },
  }
}
