import type { DeliveryEvent, DeliveryState, Logger, MailRejection, StorageAdapter } from '@mailfront/core'
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
  /** The plugin hosting the envelope sender, who receives the DSN (looked up before the transaction). */
  senderHostedBy?: string | null
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
    b.senderHostedBy ? new Map([[0, b.senderHostedBy]]) : undefined,
  )
  return { row, dsn }
}

/** An entry ended as bounced, with its DSN (none for a null sender). */
export interface Bounced {
  row: EntryRow
  dsn: { message: MessageRow; entries: EntryRow[] } | null
  reason: string
}

/**
 * End the entries of recipients a hosting plugin refused at submit (by index), in the submit's
 * transaction, each with its DSN, as a relay's 5xx would; `entries` is updated in place.
 */
export async function endRefused(
  tx: StorageAdapter,
  entries: EntryRow[],
  refused: ReadonlyMap<number, MailRejection>,
  o: { now: number; hostname: string; senderHostedBy: string | null },
): Promise<Bounced[]> {
  const bounced: Bounced[] = []
  for (const [i, e] of refused) {
    const reason = `${e.code} ${e.message}`
    const r = await endWithDsn(tx, { entry: entries[i]!, fromStates: ['queued'], reason, code: e.code, ...o })
    if (r) {
      entries[i] = r.row
      bounced.push({ ...r, reason })
    }
  }
  return bounced
}

/** After a bounce's transaction: its log line, its event, and the DSN's own submitted report. */
export function reportBounce(
  o: {
    log: Logger
    emit(e: DeliveryEvent): void
    submitted(message: MessageRow, entries: EntryRow[]): void
  },
  { row, dsn, reason }: Bounced,
  now: number,
) {
  o.log.info(
    {
      mail: row.message,
      entry: row.id,
      rcpt: row.rcpt,
      plugin: row.plugin,
      response: reason,
      dsn: dsn?.message.id,
    },
    'mail bounced',
  )
  o.emit({
    type: 'bounced',
    messageId: row.message,
    entryId: Number(row.id),
    recipient: row.rcpt,
    plugin: row.plugin,
    ...(row.principal ? { principal: row.principal } : {}),
    response: reason,
    at: now,
  })
  if (dsn) o.submitted(dsn.message, dsn.entries)
}
