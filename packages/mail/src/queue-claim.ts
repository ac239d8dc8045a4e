import { claimLease, type StorageAdapter, type Where } from '@mailfront/core'
import { type EntryRow, PENDING, QUEUE } from './models.ts'

/**
 * Which entries are due and who holds one. Every instance runs a worker on the same store; an
 * entry is claimed by a guarded update (its state and `updated_at` as read) and held by a lease,
 * so each is delivered once and a crashed instance's entries are taken again when the lease ends.
 */

/** Pending entries whose time has come, and delivering ones whose lease ran out, oldest first. */
export function dueEntries(db: StorageAdapter, now: number, limit: number): Promise<EntryRow[]> {
  return db.findMany<EntryRow>({
    model: QUEUE,
    where: {
      or: [
        {
          and: [
            { field: 'state', op: 'in', value: PENDING },
            { field: 'next_attempt_at', op: 'lte', value: now },
          ],
        },
        {
          and: [
            { field: 'state', value: 'delivering' },
            { field: 'lease_until', op: 'lt', value: now },
          ],
        },
      ],
    },
    sort: [{ field: 'next_attempt_at' }, { field: 'id' }],
    limit,
  })
}

/** The guard: the entry is still exactly as this instance read it. */
export const asRead = (e: EntryRow): Where => ({
  and: [
    { field: 'id', value: e.id },
    { field: 'state', value: e.state },
    { field: 'updated_at', value: e.updated_at },
  ],
})

/** The guard of a claimed entry: still delivering under this instance's lease. */
export const heldUnder = (id: string | number, lease: number): Where => ({
  and: [
    { field: 'id', value: id },
    { field: 'state', value: 'delivering' },
    { field: 'lease_until', value: lease },
  ],
})

/** Claim an entry for one attempt: the claimed row and its lease, or null when another took it. */
export function claimEntry(
  db: StorageAdapter,
  e: EntryRow,
  now: number,
  leaseMs: number,
): Promise<{ claimed: EntryRow; lease: number } | null> {
  return claimLease<EntryRow>(db, {
    model: QUEUE,
    asRead: asRead(e),
    now,
    leaseMs,
    set: { state: 'delivering', updated_at: now },
  })
}
