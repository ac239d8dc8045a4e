import type { Row, StorageAdapter, Where } from './types.ts'

/**
 * Claim a row of a queue that several instances share: one guarded update (the row still as the
 * caller read it) sets a lease on the server's clock, so one instance holds the row at a time and
 * the rows of one that died are due for another when the lease ends. The guard and the other fields
 * set are the queue's own. The claimed row and its lease (the guard of later writes), or null when
 * another instance changed the row first.
 */
export async function claimLease<T extends Row = Row>(
  db: StorageAdapter,
  a: {
    model: string
    asRead: Where
    now: number
    leaseMs: number
    /** Set with the lease (a state, a holder, an attempt counted). */
    set?: Record<string, unknown>
    /** The lease's field: `lease_until` unless named. */
    leaseField?: string
  },
): Promise<{ claimed: T; lease: number } | null> {
  const lease = a.now + a.leaseMs
  const claimed = await db.updateOne<T>({
    model: a.model,
    where: a.asRead,
    set: { ...a.set, [a.leaseField ?? 'lease_until']: lease },
  })
  return claimed ? { claimed, lease } : null
}
