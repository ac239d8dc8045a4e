import { BODY, type EntryRow, MESSAGE, type MessageRow, QUEUE, SEARCH } from './models.ts'
import type { MailPipeline } from './service.ts'

/** How much captured mail is kept (MAILFRONT_MAIL_RETAIN): the newest `count`, none older than `ageMs`. */
export interface Retention {
  count?: number
  ageMs?: number
}

/** Messages removed per pruning pass: a big backlog goes in several passes, never one long transaction. */
const BATCH = 500
/** States in which a message is still being delivered: never pruned under it. */
const BUSY = ['queued', 'deferred', 'delivering']

/**
 * One pruning pass: removes (with their bytes, search text and queue entries) the messages beyond the
 * newest `count` and those older than `ageMs`, except messages still being delivered. Returns how many.
 */
export async function pruneMail(mail: MailPipeline, r: Retention): Promise<number> {
  const db = mail.storage
  const ids = new Set<string>()
  const newestFirst = [
    { field: 'received_at', dir: 'desc' as const },
    { field: 'id', dir: 'desc' as const },
  ]
  if (r.count !== undefined)
    for (const m of await db.findMany<MessageRow>({
      model: MESSAGE,
      sort: newestFirst,
      offset: r.count,
      limit: BATCH,
    }))
      ids.add(m.id)
  if (r.ageMs !== undefined)
    for (const m of await db.findMany<MessageRow>({
      model: MESSAGE,
      where: { field: 'received_at', op: 'lt', value: mail.clock.now() - r.ageMs },
      sort: newestFirst,
      limit: BATCH,
    }))
      ids.add(m.id)
  if (!ids.size) return 0
  const busy = await db.findMany<EntryRow>({
    model: QUEUE,
    where: {
      and: [
        { field: 'message', op: 'in', value: [...ids] },
        { field: 'state', op: 'in', value: BUSY },
      ],
    },
  })
  for (const e of busy) ids.delete(e.message)
  if (!ids.size) return 0
  const list = [...ids]
  await db.transaction(async (tx) => {
    for (const model of [QUEUE, BODY, SEARCH])
      await tx.deleteMany({ model, where: { field: 'message', op: 'in', value: list } })
    await tx.deleteMany({ model: MESSAGE, where: { field: 'id', op: 'in', value: list } })
  })
  mail.log.info({ removed: list.length, ...r }, 'mail pruned (MAILFRONT_MAIL_RETAIN)')
  return list.length
}
