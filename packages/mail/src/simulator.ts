import { type Clock, MailRejection, systemClock } from '@mailfront/core'
import { sleepUntil } from '@mailfront/core/host'
import type { Send } from './local.ts'

/**
 * Simulator addresses: recipients at one domain (`simulator.mailfront.test` unless configured) whose
 * local part chooses the outcome, reached through the real pipeline (queue, retries, DSNs, events)
 * in capture and relay mode alike; nothing is ever sent to them. Their entries carry `SIMULATOR`
 * as their host, so the worker hands them to `Simulator.send`, never to the relay.
 */
export const SIMULATOR = '@simulator'
export const DEFAULT_SIMULATOR_DOMAIN = 'simulator.mailfront.test'
/** How long `slow@` takes to be accepted: by the pipeline's clock or by real time, whichever is first. */
export const DEFAULT_SLOW_MS = 5000

/** The most failures `defer+<n>@` asks for (beyond the queue's default give-up, 10 attempts). */
export const MAX_DEFER_FAILURES = 100

export type SimulatedOutcome =
  | { kind: 'delivered' | 'bounce' | 'deferfail' | 'reject' | 'slow' }
  /** `defer@` fails once; `defer+<n>@` n times; then delivered. */
  | { kind: 'defer'; failures: number }

/**
 * The local parts, each with an optional `+label` (`bounce+order-17@`). For `defer` a label made of
 * digits is the count of failures, and a label may follow it (`defer+3+order-17@`).
 */
const LOCAL = /^(delivered|bounce|defer|deferfail|reject|slow)(?:\+(.*))?$/

/**
 * What a simulator local part asks for; null for an unknown one. Throws RangeError for a count of
 * failures out of 1..MAX_DEFER_FAILURES (`defer+0@`, `defer+2024@`): refused, never taken as a label.
 */
export function simulatedOutcome(localPart: string): SimulatedOutcome | null {
  const m = LOCAL.exec(localPart.toLowerCase())
  if (!m) return null
  const kind = m[1] as SimulatedOutcome['kind']
  if (kind !== 'defer') return { kind }
  const count = /^(\d+)(?:\+|$)/.exec(m[2] ?? '')
  if (!count) return { kind, failures: 1 }
  const failures = Number(count[1])
  if (failures < 1 || failures > MAX_DEFER_FAILURES)
    throw new RangeError(
      `defer+<n> takes 1 to ${MAX_DEFER_FAILURES} failures, not ${count[1]} (a label after it: defer+3+order-17)`,
    )
  return { kind, failures }
}

const localPart = (rcpt: string) => rcpt.slice(0, rcpt.lastIndexOf('@'))

const KNOWN = 'delivered, bounce, defer, defer+<n>, deferfail, reject, slow'

export interface SimulatorOptions {
  /** The domain; null turns simulator addresses off (they are then ordinary recipients). */
  domain: string | null
  /** `slow@`'s delay in ms (default 5 s). */
  slowMs?: number
  clock: Clock
  /** Real time, which also ends `slow@`'s wait (default the system clock; a test passes a manual one). */
  realClock?: Clock
}

export class Simulator {
  readonly domain: string | null
  readonly slowMs: number
  private readonly clock: Clock
  private readonly realClock: Clock

  constructor(o: SimulatorOptions) {
    this.domain = o.domain ? o.domain.toLowerCase() : null
    this.slowMs = o.slowMs ?? DEFAULT_SLOW_MS
    this.clock = o.clock
    this.realClock = o.realClock ?? systemClock
  }

  /** Whether `rcpt` is at the simulator's domain. */
  has(rcpt: string): boolean {
    return this.domain !== null && rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase() === this.domain
  }

  /**
   * Asked for each recipient (at RCPT TO and at submit): true for a simulator address it accepts,
   * false for any other recipient; `reject@` and unknown local parts throw a 550 MailRejection.
   */
  check(rcpt: string): boolean {
    if (!this.has(rcpt)) return false
    let o: SimulatedOutcome | null
    try {
      o = simulatedOutcome(localPart(rcpt))
    } catch (e) {
      throw new MailRejection(550, `5.1.1 <${rcpt}>: ${(e as Error).message} (mailfront simulator)`)
    }
    if (!o) throw new MailRejection(550, `5.1.1 <${rcpt}>: no such simulator address (use ${KNOWN})`)
    if (o.kind === 'reject')
      throw new MailRejection(550, `5.1.1 <${rcpt}>: recipient address rejected (mailfront simulator)`)
    return true
  }

  /** Whether a submission to `to` waits before it is accepted (a `slow@` among them). */
  holds(to: string[]): boolean {
    return to.some((r) => this.has(r) && this.outcome(r)?.kind === 'slow')
  }

  /**
   * Before a submission is stored: when it has a `slow@` recipient, wait until the pipeline's clock
   * has moved `slowMs` on or `slowMs` of real time has passed, whichever is first: moving the clock
   * forward releases it at once, and moving it back (a reset) never holds it longer. When one of
   * `signals` is aborted first (the connection, listener or pipeline closed), rejects with its
   * reason: the submission is abandoned, never accepted after its client gave up. Timers, never a
   * busy loop.
   */
  async beforeAccept(to: string[], signals: (AbortSignal | undefined)[] = []): Promise<void> {
    if (!this.holds(to)) return
    const done = new AbortController()
    // Combined only here (slow@ is rare): no composite signal per submission on long-lived ones.
    const both = AbortSignal.any([done.signal, ...signals.filter((s) => s !== undefined)])
    try {
      // The sleep that loses is ended by `done`; race has already taken its rejection.
      await Promise.race([
        sleepUntil(this.clock, this.clock.now() + this.slowMs, both),
        sleepUntil(this.realClock, this.realClock.now() + this.slowMs, both),
      ])
    } finally {
      done.abort()
    }
  }

  /** One delivery attempt: the outcome the local part names (its entry's attempts so far count). */
  readonly send: Send = async (e) => {
    const o = this.outcome(e.rcpt)
    const rcpt = e.rcpt
    switch (o?.kind) {
      case 'delivered':
      case 'slow':
        return { kind: 'delivered', response: `250 2.0.0 <${rcpt}>: delivered (mailfront simulator)` }
      case 'defer':
        if (e.attempts >= o.failures)
          return { kind: 'delivered', response: `250 2.0.0 <${rcpt}>: delivered (mailfront simulator)` }
        return this.deferred(rcpt, e.attempts + 1, `of ${o.failures}`)
      case 'deferfail':
        return this.deferred(rcpt, e.attempts + 1, 'until the queue gives up')
      default:
        // bounce@; reject@ and unknown local parts are refused before they are stored, but an
        // entry queued under another domain setting ends the same way.
        return {
          kind: 'permanent',
          response: `550 5.1.1 <${rcpt}>: recipient address does not exist (mailfront simulator: hard bounce)`,
          code: 550,
        }
    }
  }

  /** The outcome, null for a local part refused at submit (check): such an entry ends as a bounce. */
  private outcome(rcpt: string): SimulatedOutcome | null {
    try {
      return simulatedOutcome(localPart(rcpt))
    } catch {
      return null
    }
  }

  private deferred(rcpt: string, attempt: number, of: string) {
    return {
      kind: 'temporary' as const,
      response: `451 4.4.1 <${rcpt}>: temporary failure ${attempt} ${of} (mailfront simulator)`,
      code: 451,
    }
  }
}
