import type { DeliveryEvent } from '@mailfront/core'
import { backoffDelay } from '@mailfront/core/host'
import { type EntryRow, QUEUE } from './models.ts'
import { heldUnder } from './queue-claim.ts'
import type { RelayResult } from './relay.ts'
import type { MailPipeline } from './service.ts'

/** The queue's retry schedule: doubling delays, capped, and when a temporary failure gives up. */
export interface RetrySchedule {
  /** First retry delay; doubled per failed attempt, capped at `maxRetryDelayMs`. */
  retryDelayMs: number
  maxRetryDelayMs: number
  /** Attempts before a temporary failure becomes a bounce. */
  maxAttempts: number
}

/** Retry delay after the n-th failed attempt (n ≥ 1): the core's capped doubling. */
export { backoffDelay as retryDelay } from '@mailfront/core/host'

/** A delivery event of one entry, as the plugins' `ctx.mail.onEvent` listeners receive it. */
export function emitEntryEvent(
  p: MailPipeline,
  type: DeliveryEvent['type'],
  e: EntryRow,
  response: string,
  at: number,
) {
  p.emit({
    type,
    messageId: e.message,
    entryId: Number(e.id),
    recipient: e.rcpt,
    plugin: e.plugin,
    ...(e.principal ? { principal: e.principal } : {}),
    response,
    at,
  })
}

/**
 * The next state of a claimed entry after one attempt: delivered; bounced with a DSN (a permanent
 * failure, or the last attempt allowed); or deferred to its next time on the schedule.
 */
export async function settleAttempt(
  p: MailPipeline,
  claimed: EntryRow,
  lease: number,
  r: RelayResult,
  schedule: RetrySchedule,
): Promise<void> {
  const attempt = claimed.attempts + 1
  const at = p.clock.now()
  const log = {
    mail: claimed.message,
    entry: claimed.id,
    rcpt: claimed.rcpt,
    plugin: claimed.plugin,
    attempt,
    response: r.response,
  }
  const mine = heldUnder(claimed.id, lease)
  if (r.kind === 'delivered') {
    const row = await p.storage.updateOne<EntryRow>({
      model: QUEUE,
      where: mine,
      set: {
        state: 'delivered',
        attempts: attempt,
        last_response: r.response,
        lease_until: null,
        updated_at: at,
      },
    })
    p.log.info({ ...log, result: 'delivered' }, 'mail delivery')
    if (row) emitEntryEvent(p, 'delivered', row, r.response, at)
    return
  }
  if (r.kind === 'permanent' || attempt >= schedule.maxAttempts) {
    const reason =
      r.kind === 'permanent' ? r.response : `gave up after ${attempt} attempts; last: ${r.response}`
    p.log.info({ ...log, result: 'bounced' }, 'mail delivery')
    await p.bounceEntry({ ...claimed, attempts: attempt }, ['delivering'], reason, r.code)
    return
  }
  const next = at + backoffDelay(attempt, schedule.retryDelayMs, schedule.maxRetryDelayMs)
  const row = await p.storage.updateOne<EntryRow>({
    model: QUEUE,
    where: mine,
    set: {
      state: 'deferred',
      attempts: attempt,
      next_attempt_at: next,
      last_response: r.response,
      lease_until: null,
      updated_at: at,
    },
  })
  p.log.info({ ...log, result: 'deferred', next: new Date(next).toISOString() }, 'mail delivery')
  if (row) emitEntryEvent(p, 'deferred', row, r.response, at)
}
