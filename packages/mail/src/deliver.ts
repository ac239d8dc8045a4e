import type { Send } from './local.ts'
import { BODY, type EntryRow } from './models.ts'
import { type RetrySchedule, settleAttempt } from './outcome.ts'
import { claimEntry } from './queue-claim.ts'
import type { RelayResult } from './relay.ts'
import type { MailPipeline } from './service.ts'

/** A round's message bytes by message id: read once for all of a message's recipients. */
export type BodyCache = Map<string, Promise<Buffer | null>>

function bodyOf(p: MailPipeline, message: string, bodies: BodyCache): Promise<Buffer | null> {
  let raw = bodies.get(message)
  if (!raw) {
    raw = p.storage
      .findOne<{ id: string; data: string }>({ model: BODY, where: { field: 'message', value: message } })
      .then((b) => (b ? Buffer.from(b.data, 'base64') : null))
    bodies.set(message, raw)
  }
  return raw
}

/**
 * One attempt at one entry: claim it under a lease, send its bytes, settle the outcome. False when
 * another instance claimed it first.
 */
export async function deliverOne(
  p: MailPipeline,
  e: EntryRow,
  send: Send,
  bodies: BodyCache,
  o: RetrySchedule & { leaseMs: number },
): Promise<boolean> {
  const got = await claimEntry(p.storage, e, p.clock.now(), o.leaseMs)
  if (!got) return false
  const bytes = await bodyOf(p, e.message, bodies)
  const r: RelayResult = bytes
    ? await send(got.claimed, bytes)
    : { kind: 'permanent', response: 'message data missing from the store' }
  await settleAttempt(p, got.claimed, got.lease, r, o)
  return true
}
