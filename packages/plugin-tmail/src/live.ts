import {
  type DeliveryState,
  type MessageSummary,
  type PluginContext,
  type QueueEntry,
  type StorageAdapter,
  UniqueViolationError,
} from '@mailfront/core'
import { type MessageRow, QUEUE, STATUS } from './store.ts'
import { goTime } from './time.ts'

/**
 * tmail's queue is the mail pipeline's queue seen through tmail. A relay user's message gets one
 * row per recipient (tmail's Id, Uuid and AddedAt) linked to its pipeline entry; the live fields
 * (Status, NextDeliveryScheduledAt, DeliveryFailedCount, LastUpdate) come from the entry when the
 * row is shown, so there is one queue state, the pipeline's. Rows without a link are records
 * loaded from fixtures or `tmail queue add`: they carry no message and keep their stored state.
 */

const STATUS_OF: Record<DeliveryState, number | null> = {
  queued: STATUS.SCHEDULED,
  deferred: STATUS.SCHEDULED,
  delivering: STATUS.IN_PROGRESS,
  discarded: STATUS.DISCARD,
  bounced: STATUS.BOUNCE,
  // Delivered mail has left tmail's queue.
  delivered: null,
}

/** States after which the pipeline is done with an entry: its row is removed by the processor. */
export const FINAL: DeliveryState[] = ['delivered', 'discarded', 'bounced']

function live(row: MessageRow, e: QueueEntry | undefined): MessageRow | null {
  if (!e) return null
  const status = STATUS_OF[e.state]
  if (status === null) return null
  return {
    ...row,
    status,
    delivery_failed_count: e.attempts,
    last_update: goTime(e.updatedAt),
    next_delivery_scheduled_at: goTime(e.nextAttemptAt ?? e.updatedAt),
  }
}

/** Rows as tmail shows them: linked rows with their entry's live state; null for mail that left. */
export async function withLiveState(ctx: PluginContext, rows: MessageRow[]): Promise<(MessageRow | null)[]> {
  const ids = rows.flatMap((r) => (r.entry_id === null || r.entry_id === undefined ? [] : [r.entry_id]))
  if (!ids.length || !ctx.mail) return rows
  const entries = new Map((await ctx.mail.entries({ ids })).map((e) => [e.entryId, e]))
  return rows.map((r) =>
    r.entry_id === null || r.entry_id === undefined ? r : live(r, entries.get(r.entry_id)),
  )
}

const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1).toLowerCase()

/** Add a relay user's accepted message to tmail's view: one row per recipient, linked to its entry. */
export async function addSubmitted(db: StorageAdapter, authUser: string, m: MessageSummary): Promise<void> {
  const at = goTime(m.receivedAt)
  for (const r of m.recipients) {
    try {
      await db.create({
        model: QUEUE,
        data: {
          // The pipeline's message id is 40 hex characters, as tmail's Uuid.
          uuid: m.id,
          mail_from: m.envelope.from,
          auth_user: authUser,
          rcpt_to: r.recipient,
          message_id: m.messageId ?? '',
          host: domainOf(r.recipient),
          last_update: at,
          added_at: at,
          next_delivery_scheduled_at: at,
          status: STATUS.SCHEDULED,
          delivery_failed_count: 0,
          entry_id: r.entryId,
        },
      })
    } catch (err) {
      // The processor adopted the entry first (see adoptEntries): it has its row.
      if (!(err instanceof UniqueViolationError)) throw err
    }
  }
}

/**
 * Give a row to every pending tmail entry that has none: mail accepted just before a crash (the row
 * is written after the message is durable), and the bounces (DSNs) the pipeline made for tmail
 * senders, which tmail lists with an empty MailFrom as its own bounces.
 */
export async function adoptEntries(ctx: PluginContext, batch = 500): Promise<number> {
  if (!ctx.mail) return 0
  let adopted = 0
  let after = 0
  for (;;) {
    const entries = await ctx.mail.entries({
      plugin: 'tmail',
      states: ['queued', 'deferred', 'delivering'],
      afterId: after,
      limit: batch,
    })
    if (!entries.length) return adopted
    after = entries[entries.length - 1]!.entryId
    const have = new Set(
      (
        await ctx.storage.findMany<MessageRow>({
          model: QUEUE,
          where: { field: 'entry_id', op: 'in', value: entries.map((e) => e.entryId) },
        })
      ).map((r) => r.entry_id),
    )
    for (const e of entries) {
      if (have.has(e.entryId)) continue
      const at = goTime(e.createdAt)
      try {
        await ctx.storage.create({
          model: QUEUE,
          data: {
            uuid: e.message,
            mail_from: e.from,
            auth_user: e.principal ?? '',
            rcpt_to: e.recipient,
            message_id: e.messageId ?? '',
            host: domainOf(e.recipient),
            last_update: at,
            added_at: at,
            next_delivery_scheduled_at: at,
            status: STATUS.SCHEDULED,
            delivery_failed_count: 0,
            entry_id: e.entryId,
          },
        })
        adopted++
      } catch (err) {
        if (!(err instanceof UniqueViolationError)) throw err // else: the accepted hook was first
      }
    }
    if (entries.length < batch) return adopted
  }
}

/** Remove the rows of entries the pipeline is done with (and of entries that no longer exist). */
export async function reapFinished(ctx: PluginContext, batch = 500): Promise<number> {
  if (!ctx.mail) return 0
  let removed = 0
  let after = 0
  for (;;) {
    const rows = await ctx.storage.findMany<MessageRow>({
      model: QUEUE,
      where: { field: 'entry_id', op: 'gt', value: after },
      sort: [{ field: 'entry_id' }],
      limit: batch,
    })
    if (!rows.length) return removed
    after = rows[rows.length - 1]!.entry_id!
    const entries = new Map(
      (await ctx.mail.entries({ ids: rows.map((r) => r.entry_id!) })).map((e) => [e.entryId, e]),
    )
    const gone = rows.filter((r) => {
      const e = entries.get(r.entry_id!)
      return !e || FINAL.includes(e.state)
    })
    if (gone.length)
      removed += await ctx.storage.deleteMany({
        model: QUEUE,
        where: { field: 'id', op: 'in', value: gone.map((r) => r.id) },
      })
    if (rows.length < batch) return removed
  }
}
