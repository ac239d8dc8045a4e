import { claimLease, type ModelSchema, type Row, type StorageAdapter, type Where } from '@mailfront/core'

/**
 * The deliveries waiting, in the server's store: they survive a crash or a restart, and every
 * instance on one store shares them. A row is claimed for an attempt by a guarded update (its
 * owner and lease as read) and held by a lease on the server's clock, as the mail queue's entries
 * are: each attempt is made by one instance, and a crashed instance's rows are taken again when
 * the lease ends.
 */
export const QUEUE = 'core_webhook_queue'

export const webhookQueueModels: ModelSchema = {
  [QUEUE]: {
    // Serial: the oldest row is the lowest id (the one dropped when the queue is full).
    id: 'serial',
    fields: {
      event_id: { type: 'string', unique: true },
      type: { type: 'string' },
      /** The event serialised once: every attempt sends (and signs) these bytes. */
      body: { type: 'string' },
      /** Attempts made (counted at the claim, so an attempt cut off by a crash counts). */
      attempts: { type: 'integer', default: 0 },
      /** Server-clock ms when the next attempt is due. */
      due_at: { type: 'timestamp', index: true },
      /** Server-clock ms until which `owner` holds the row; 0: nobody does. */
      lease_until: { type: 'timestamp', default: 0 },
      /** The instance that queued or last claimed the row. */
      owner: { type: 'string', index: true },
    },
  },
}

export type QueueRow = {
  id: number
  event_id: string
  type: string
  body: string
  attempts: number
  due_at: number
  lease_until: number
  owner: string
} & Row

/** Rows due by `now` that nobody else holds: this instance's own, or any whose lease ran out. */
export function dueRows(db: StorageAdapter, owner: string, now: number, limit: number): Promise<QueueRow[]> {
  return db.findMany<QueueRow>({
    model: QUEUE,
    where: {
      and: [
        { field: 'due_at', op: 'lte', value: now },
        {
          or: [
            { field: 'owner', value: owner },
            { field: 'lease_until', op: 'lt', value: now },
          ],
        },
      ],
    },
    sort: [{ field: 'due_at' }, { field: 'id' }],
    limit,
  })
}

/** The guard: the row is still exactly as this instance read it (same holder, same lease, same count). */
const asRead = (r: QueueRow): Where => ({
  and: [
    { field: 'id', value: r.id },
    { field: 'owner', value: r.owner },
    { field: 'lease_until', value: r.lease_until },
    { field: 'attempts', value: r.attempts },
  ],
})

/** The guard of a claimed row: still held by this instance under this lease. */
export const heldUnder = (id: number, owner: string, lease: number): Where => ({
  and: [
    { field: 'id', value: id },
    { field: 'owner', value: owner },
    { field: 'lease_until', value: lease },
  ],
})

/** Claim a row for one attempt (counted now), as the mail queue claims its entries (the core's claimLease). */
export function claimRow(
  db: StorageAdapter,
  r: QueueRow,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<{ claimed: QueueRow; lease: number } | null> {
  return claimLease<QueueRow>(db, {
    model: QUEUE,
    asRead: asRead(r),
    now,
    leaseMs,
    set: { owner, attempts: r.attempts + 1 },
  })
}

/** Move a row's due time without an attempt (its settings could not be read), if still as read. */
export function postponeRow(db: StorageAdapter, r: QueueRow, dueAt: number): Promise<QueueRow | null> {
  return db.updateOne<QueueRow>({ model: QUEUE, where: asRead(r), set: { due_at: dueAt } })
}

/** Delete a row if it is still as read (for a drop): false when another instance changed it. */
export function deleteAsRead(db: StorageAdapter, r: QueueRow): Promise<boolean> {
  return db.deleteOne({ model: QUEUE, where: asRead(r) })
}

/** Release a row not attempted (lease 0), if still as read: another instance or the next start takes it at once. */
export async function releaseRow(db: StorageAdapter, r: QueueRow): Promise<boolean> {
  return !!(await db.updateOne({ model: QUEUE, where: asRead(r), set: { lease_until: 0 } }))
}
