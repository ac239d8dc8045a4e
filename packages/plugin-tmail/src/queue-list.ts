import { type PluginContext, scanRows } from '@mailfront/core'
import { withLiveState } from './live.ts'
import { type MessageRow, messageWire, QUEUE } from './store.ts'
import type { StreamOptions } from './stream.ts'
import { streamRawJsonArray } from './stream.ts'
import { goJson } from './wire.ts'

/** The queue's columns in wire order, then the link to the mail pipeline's entry. */
const COLUMNS = [
  'id',
  'uuid',
  'mail_from',
  'auth_user',
  'rcpt_to',
  'message_id',
  'host',
  'last_update',
  'added_at',
  'next_delivery_scheduled_at',
  'status',
  'delivery_failed_count',
  'entry_id',
] as const

const str = (v: unknown) => goJson(String(v))

/** One stored row as tmail writes it, straight from its values: the bytes of goJson(messageWire(row)). */
export function queueRowJson(r: unknown[]): string {
  return `{"Id":${Number(r[0])},"Uuid":${str(r[1])},"MailFrom":${str(r[2])},"AuthUser":${str(r[3])},"RcptTo":${str(r[4])},"MessageId":${str(r[5])},"Host":${str(r[6])},"LastUpdate":${str(r[7])},"AddedAt":${str(r[8])},"NextDeliveryScheduledAt":${str(r[9])},"Status":${Number(r[10])},"DeliveryFailedCount":${Number(r[11])}}`
}

const toRow = (r: unknown[]) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]])) as unknown as MessageRow

/**
 * GET /queue: every row in id order, read in raw batches (one prepared statement on SQLite) and
 * written straight from the values. Relay users' rows (linked to a pipeline entry) get their live
 * state from the pipeline, one lookup per batch that has any; delivered mail is left out.
 */
export function queueList(ctx: PluginContext, opts: Omit<StreamOptions, 'mapBatch'>) {
  return streamRawJsonArray(
    (a) => scanRows(ctx.storage, { model: QUEUE, columns: [...COLUMNS], ...a }),
    async (rows) => {
      if (rows.every((r) => r[12] === null || r[12] === undefined)) return rows.map(queueRowJson)
      const linked = rows.filter((r) => r[12] !== null && r[12] !== undefined).map(toRow)
      const shown = new Map((await withLiveState(ctx, linked)).map((m, i) => [linked[i]!.id, m]))
      return rows.map((r) => {
        if (r[12] === null || r[12] === undefined) return queueRowJson(r)
        const m = shown.get(r[0] as number)
        return m ? goJson(messageWire(m)) : null
      })
    },
    opts,
  )
}
