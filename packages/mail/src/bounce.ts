import type { DeliveryState, StorageAdapter } from '@mailfront/core'
import { buildDsn, headerBlock } from './dsn.ts'
import { BODY, type EntryRow, MESSAGE, type MessageRow, QUEUE } from './models.ts'
import { insertMessage } from './rows.ts'

export interface EndWithDsn {
  entry: EntryRow
  /** The states the entry may be in; with `delivering`, only the holder of its lease may end it. */
  fromStates: DeliveryState[]
  reason: string
  code?: number
  now: number
  hostname: string
}

/**
 * End an entry as bounced and queue its DSN to the envelope sender, inside the caller's
 * transaction: both happen or neither. Null when the entry is no longer in `fromStates`. Never a
 * bounce for a bounce: a null sender gets nothing back (`dsn: null`).
 */
export async function endWithDsn(tx: StorageAdapter, b: EndWithDsn) {
  const { entry, fromStates, reason, now } = b
  const row = await tx.updateOne<EntryRow>({
    model: QUEUE,
    where: {
      and: [
        { field: 'id', value: entry.id },
        { field: 'state', op: 'in', value: fromStates },
        ...(fromStates.includes('delivering') && entry.lease_until !== null
          ? [{ field: 'lease_until', value: entry.lease_until }]
          : []),
      ],
    },
    set: {
      state: 'bounced',
      attempts: entry.attempts,
      last_response: reason,
      lease_until: null,
      updated_at: now,
    },
  })
  if (!row) return null
  if (row.mail_from === '') return { row, dsn: null }
  const m = await tx.findOne<MessageRow>({ model: MESSAGE, where: { field: 'id', value: row.message } })
  const body = await tx.findOne<{ id: string; data: string }>({
    model: BODY,
    where: { field: 'message', value: row.message },
  })
  const raw = await buildDsn({
    hostname: b.hostname,
    to: row.mail_from,
    recipient: row.rcpt,
    reason,
    ...(b.code ? { code: b.code } : {}),
    originalHeaders: body ? headerBlock(Buffer.from(body.data, 'base64')) : '',
    ...(row.message_id ? { originalMessageId: row.message_id } : {}),
    arrivalDate: new Date(m?.received_at ?? row.created_at),
    date: new Date(now),
  })
  const dsn = await insertMessage(
    tx,
    { envelope: { from: '', to: [row.mail_from] }, raw, plugin: row.plugin, via: 'dsn' },
    now,
  )
  return { row, dsn }
}
