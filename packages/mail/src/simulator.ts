import { type Clock, MailRejection } from '@mailfront/core'
import type { Send } from './local.ts'

/**
 * Simulator addresses: recipients at one domain (`simulator.mailfront.test` unless configured) whose
 * local part chooses the outcome, reached through the real pipeline (queue, retries, DSNs, events)
 * in capture and relay mode alike; nothing is ever sent to them. Their entries carry `SIMULATOR`
 * as their host, so the worker hands them to `Simulator.send`, never to the relay.
 */
export const SIMULATOR = '@simulator'
export const DEFAULT_SIMULATOR_DOMAIN = 'simulator.mailfront.test'
/** How long `slow@` takes to be accepted, by the pipeline's clock. */
export const DEFAULT_SLOW_MS = 5000

export type SimulatedOutcome =
  | { kind: 'delivered' | 'bounce' | 'deferfail' | 'reject' | 'slow' }
  /** `defer@` fails once; `defer+<n>@` n times; then delivered. */
  | { kind: 'defer'; failures: number }

/** The local parts, each with an optional `+label` (`bounce+order-17@`); `defer+<n>` counts failures. */
const LOCAL = /^(delivered|bounce|defer|deferfail|reject|slow)(?:\+(.*))?$/

export function simulatedOutcome(localPart: string): SimulatedOutcome | null {
  const m = LOCAL.exec(localPart.toLowerCase())
  if (!m) return null
  const kind = m[1] as SimulatedOutcome['kind']
  if (kind !== 'defer') return { kind }
  return { kind, failures: m[2] !== undefined && /^\d{1,4}$/.test(m[2]) ? Number(m[2]) : 1 }
}

const localPart = (rcpt: string) => rcpt.slice(0, rcpt.lastIndexOf('@'))

const KNOWN = 'delivered, bounce, defer, defer+<n>, deferfail, reject, slow'

export interface SimulatorOptions {
  /** The domain; null turns simulator addresses off (they are then ordinary recipients). */
  domain: string | null
  /** `slow@`'s delay in ms (default 5 s). */
  slowMs?: number
  clock: Clock
}

export class Simulator {
  readonly domain: string | null
  readonly slowMs: number
  private readonly clock: Clock

  constructor(o: SimulatorOptions) {
    this.domain = o.domain ? o.domain.toLowerCase() : null
    this.slowMs = o.slowMs ?? DEFAULT_SLOW_MS
    this.clock = o.clock
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
    const o = simulatedOutcome(localPart(rcpt))
    if (!o) throw new MailRejection(550, `5.1.1 <${rcpt}>: no such simulator address (use ${KNOWN})`)
    if (o.kind === 'reject')
      throw new MailRejection(550, `5.1.1 <${rcpt}>: recipient address rejected (mailfront simulator)`)
    return true
  }

  /**
   * Before a submission is stored: when it has a `slow@` recipient, wait until the clock has moved
   * `slowMs` on. Timers, never a busy loop, so other connections go on; a test moves the clock.
   */
  async beforeAccept(to: string[]): Promise<void> {
    if (!to.some((r) => this.has(r) && simulatedOutcome(localPart(r))?.kind === 'slow')) return
    const until = this.clock.now() + this.slowMs
    for (let left = this.slowMs; left > 0; left = until - this.clock.now())
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)))
  }

  /** One delivery attempt: the outcome the local part names (its entry's attempts so far count). */
  readonly send: Send = async (e) => {
    const o = simulatedOutcome(localPart(e.rcpt))
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

  private deferred(rcpt: string, attempt: number, of: string) {
    return {
      kind: 'temporary' as const,
      response: `451 4.4.1 <${rcpt}>: temporary failure ${attempt} ${of} (mailfront simulator)`,
      code: 451,
    }
  }
}
