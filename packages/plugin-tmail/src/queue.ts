import { type PluginContext, randomHex, type StorageAdapter } from '@mailfront/core'
import { errors, raw } from './errors.ts'
import { adoptEntries, reapFinished, withLiveState } from './live.ts'
import { type MessageRow, QUEUE, STATUS } from './store.ts'
import { goTime } from './time.ts'

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/** Go's strconv.ParseInt(id, 10, 64), with its error text as `raw`. */
export function parseMessageId(id: string): bigint {
  const quoted = JSON.stringify(id)
  if (!/^[+-]?\d+$/.test(id))
    throw errors.BAD_MESSAGE_ID(raw(`strconv.ParseInt: parsing ${quoted}: invalid syntax`))
  const n = BigInt(id)
  if (n > INT64_MAX || n < INT64_MIN)
    throw errors.BAD_MESSAGE_ID(raw(`strconv.ParseInt: parsing ${quoted}: value out of range`))
  return n
}

/** One queue message as tmail shows it (a relay user's row with its live state); 404 when gone. */
export async function getMessage(ctx: PluginContext, id: bigint): Promise<MessageRow> {
  // Ids beyond 2^53 are never given out, so they are simply unknown.
  const row =
    id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER)
      ? await ctx.storage.findOne<MessageRow>({ model: QUEUE, where: { field: 'id', value: Number(id) } })
      : null
  const m = row && (await withLiveState(ctx, [row]))[0]
  if (!m) throw errors.NO_SUCH_MESSAGE({ message: `no such message ${id}` })
  return m
}

/** The 422 of a discard or bounce that cannot be done, with the reason as `raw`. */
const refused = (id: bigint, action: 'discard' | 'bounce', why: string) =>
  errors[action === 'discard' ? 'DISCARD_FAILED' : 'BOUNCE_FAILED']({
    message: `unable to ${action} message ${id}`,
    ...raw(why),
  })

export const IN_PROGRESS_RAW = "delivery in progress, message status can't be changed"

/** Discard (status 1) or bounce (status 3); refused while a delivery is in progress (status 0). */
export async function markMessage(ctx: PluginContext, id: bigint, action: 'discard' | 'bounce') {
  const found = await getMessage(ctx, id)
  if (found.entry_id !== null && found.entry_id !== undefined && ctx.mail)
    return markEntry(ctx, found, id, action)
  const updated = await ctx.storage.updateOne({
    model: QUEUE,
    // The guard makes the check and the change one step, even against a running delivery.
    where: {
      and: [
        { field: 'id', value: found.id },
        { field: 'status', op: 'ne', value: STATUS.IN_PROGRESS },
      ],
    },
    set: {
      status: action === 'discard' ? STATUS.DISCARD : STATUS.BOUNCE,
      last_update: goTime(ctx.clock.now()),
    },
  })
  if (updated) return
  await getMessage(ctx, id) // 404 when it left the queue meanwhile
  throw refused(id, action, IN_PROGRESS_RAW)
}

/**
 * A relay user's message: the decision is the pipeline's discard or bounce, applied at once (the
 * bounce's DSN goes to the sender). Asking again for the same decision is a no-op; the other one is
 * refused, since a pipeline decision is final.
 */
async function markEntry(ctx: PluginContext, row: MessageRow, id: bigint, action: 'discard' | 'bounce') {
  const wanted = action === 'discard' ? STATUS.DISCARD : STATUS.BOUNCE
  if (row.status === wanted) return
  if (row.status === STATUS.IN_PROGRESS) throw refused(id, action, IN_PROGRESS_RAW)
  if (row.status !== STATUS.SCHEDULED)
    throw refused(id, action, `message already ${row.status === STATUS.DISCARD ? 'discarded' : 'bounced'}`)
  const done =
    action === 'discard'
      ? await ctx.mail!.discard(row.entry_id!)
      : await ctx.mail!.bounce(row.entry_id!, 'bounced by admin')
  if (done) return
  const now = await getMessage(ctx, id) // 404 when it was delivered meanwhile
  if (now.status === wanted) return
  throw refused(id, action, IN_PROGRESS_RAW)
}

export interface NewMessage {
  mailFrom: string
  rcptTo: string[]
  authUser?: string
  messageId?: string
  status?: number
  data?: string
}

const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1).toLowerCase()

/** Queue one message: one row per recipient, sharing a 40-hex Uuid, scheduled now. */
export function enqueue(ctx: PluginContext, m: NewMessage): Promise<MessageRow[]> {
  return ctx.storage.transaction((tx) => insertMessage(tx, ctx.clock.now(), m))
}

async function insertMessage(tx: StorageAdapter, nowMs: number, m: NewMessage): Promise<MessageRow[]> {
  const now = goTime(nowMs)
  const uuid = randomHex(20)
  const messageId = m.messageId ?? `${randomHex(20)}@${domainOf(m.mailFrom) || 'localhost'}`
  const rows: MessageRow[] = []
  for (const rcpt of m.rcptTo)
    rows.push(
      await tx.create<MessageRow>({
        model: QUEUE,
        data: {
          uuid,
          mail_from: m.mailFrom,
          auth_user: m.authUser ?? '',
          rcpt_to: rcpt,
          message_id: messageId,
          host: domainOf(rcpt),
          last_update: now,
          added_at: now,
          next_delivery_scheduled_at: now,
          status: m.status ?? STATUS.SCHEDULED,
          delivery_failed_count: 0,
          data: m.data ?? null,
        },
      }),
    )
  return rows
}

function bounceText(m: MessageRow): string {
  return [
    `From: Mail Delivery System <MAILER-DAEMON@${m.host}>`,
    `To: <${m.mail_from}>`,
    'Subject: Delivery failure',
    '',
    `Your message ${m.message_id} to <${m.rcpt_to}> could not be delivered: bounced by admin.`,
    '',
  ].join('\r\n')
}

export interface ProcessResult {
  discarded: number
  bounced: number
  /** Bounced messages that were bounces themselves: discarded, never bounced again. */
  doubleBounces: number
  /** Rows of relay users' mail the pipeline is done with (delivered, discarded or bounced). */
  removed?: number
  /** Rows given to pending tmail entries that had none (see adoptEntries). */
  adopted?: number
}

/**
 * Apply the admin's decisions as tmail's delivery process does. Safe with several instances: each
 * row is taken by a guarded delete, so exactly one of them acts on it.
 */
export async function processQueue(ctx: PluginContext, batch = 500): Promise<ProcessResult> {
  const out: ProcessResult = { discarded: 0, bounced: 0, doubleBounces: 0 }
  for (;;) {
    const rows = await ctx.storage.findMany<MessageRow>({
      model: QUEUE,
      where: { field: 'status', op: 'in', value: [STATUS.DISCARD, STATUS.BOUNCE] },
      limit: batch,
    })
    for (const m of rows) {
      await ctx.storage.transaction(async (tx) => {
        const taken = await tx.deleteOne({
          model: QUEUE,
          where: {
            and: [
              { field: 'id', value: m.id },
              { field: 'status', value: m.status },
            ],
          },
        })
        if (!taken) return
        if (m.status === STATUS.DISCARD) out.discarded++
        else if (m.mail_from === '') out.doubleBounces++
        else {
          out.bounced++
          await insertMessage(tx, ctx.clock.now(), {
            mailFrom: '',
            rcptTo: [m.mail_from],
            data: bounceText(m),
          })
        }
      })
    }
    if (rows.length < batch) break
  }
  const adopted = await adoptEntries(ctx, batch)
  if (adopted) out.adopted = adopted
  const removed = await reapFinished(ctx, batch)
  if (removed) out.removed = removed
  return out
}
