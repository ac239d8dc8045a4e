import type { Where } from '@mailfront/core'
import { BODY, type EntryRow, IN_FLIGHT, MESSAGE, type MessageRow, QUEUE, SEARCH } from './models.ts'
import type { MailPipeline } from './service.ts'

/** How much captured mail is kept (MAILFRONT_MAIL_RETAIN): the newest `count`, none older than `ageMs`. */
export interface Retention {
  count?: number
  ageMs?: number
}

/** Messages removed per pruning pass: a big backlog goes in several passes, never one long transaction. */
export const PRUNE_BATCH = 500

const NEWEST_FIRST = [
  { field: 'received_at', dir: 'desc' as const },
  { field: 'id', dir: 'desc' as const },
]

/**
 * Up to PRUNE_BATCH ids of messages matching `where` from position `from` on (newest first), paging
 * past those still being delivered: a page all busy never hides older mail that can go.
 */
async function prunable(mail: MailPipeline, where: Where | undefined, from: number): Promise<string[]> {
  const db = mail.storage
  const out: string[] = []
  for (let offset = from; out.length < PRUNE_BATCH; offset += PRUNE_BATCH) {
    const page = await db.findMany<MessageRow>({
      model: MESSAGE,
      ...(where ? { where } : {}),
      sort: NEWEST_FIRST,
      offset,
      limit: PRUNE_BATCH,
    })
    if (!page.length) break
    const busy = await db.findMany<EntryRow>({
      model: QUEUE,
      where: {
        and: [
          { field: 'message', op: 'in', value: page.map((m) => m.id) },
          { field: 'state', op: 'in', value: IN_FLIGHT },
        ],
      },
    })
    const held = new Set(busy.map((e) => e.message))
    for (const m of page) if (!held.has(m.id) && out.length < PRUNE_BATCH) out.push(m.id)
    if (page.length < PRUNE_BATCH) break
  }
  return out
}

/**
 * One pruning pass: removes (with their bytes, search text and queue entries) the messages beyond the
 * newest `count` and those older than `ageMs`, except messages still being delivered. Returns how
 * many (PRUNE_BATCH or more: more may be left).
 */
export async function pruneMail(mail: MailPipeline, r: Retention): Promise<number> {
  const db = mail.storage
  const ids = new Set<string>()
  if (r.count !== undefined) for (const id of await prunable(mail, undefined, r.count)) ids.add(id)
  if (r.ageMs !== undefined) {
    const old: Where = { field: 'received_at', op: 'lt', value: mail.clock.now() - r.ageMs }
    for (const id of await prunable(mail, old, 0)) ids.add(id)
  }
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
