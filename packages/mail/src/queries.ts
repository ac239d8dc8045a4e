import type {
  EntryQuery,
  MailService,
  MessageQuery,
  MessageSummary,
  StorageAdapter,
  Where,
} from '@mailfront/core'
import { BODY, type EntryRow, MESSAGE, type MessageRow, QUEUE, SEARCH } from './models.ts'
import { toEntry, toSummary } from './rows.ts'
import { searchTerms } from './search.ts'

/** The pipeline's read side (the admin API's too): messages with their entries, bytes, queue entries. */
export type MailQueries = Pick<MailService, 'get' | 'raw' | 'list' | 'entries'> & {
  /** How many messages match (the admin list's total). */
  count(query?: MessageQuery): Promise<number>
  /**
   * The admin list's answer: one page and the total, the filters resolved once. `truncated`: a `q`
   * search matched more than the search bound, so only the newest matches are in.
   */
  page(query?: MessageQuery): Promise<{ total: number; messages: MessageSummary[]; truncated: boolean }>
}

/** The most messages one `?q=` search can find (bounds the id list it filters by): the newest. */
export const SEARCH_HITS = 10_000

/** The read side over the core storage contract; `searchHits` bounds a `q` search (tests lower it). */
export function mailQueries(db: StorageAdapter, searchHits = SEARCH_HITS): MailQueries {
  async function entriesOf(ids: string[]): Promise<Map<string, EntryRow[]>> {
    const out = new Map<string, EntryRow[]>()
    if (!ids.length) return out
    const rows = await db.findMany<EntryRow>({
      model: QUEUE,
      where: { field: 'message', op: 'in', value: ids },
      sort: [{ field: 'id' }],
    })
    for (const r of rows) {
      const list = out.get(r.message) ?? []
      list.push(r)
      out.set(r.message, list)
    }
    return out
  }

  /** The filters as one where over messages, read once per request; `truncated`: see page(). */
  async function messageWhere(q: MessageQuery): Promise<{ where: Where | undefined; truncated: boolean }> {
    let truncated = false
    const and: Where[] = []
    if (q.plugin) and.push({ field: 'plugin', value: q.plugin })
    if (q.principal) and.push({ field: 'principal', value: q.principal })
    if (q.from) and.push({ field: 'mail_from', op: 'contains', value: q.from, ci: true })
    if (q.to) and.push({ field: 'rcpt_text', op: 'contains', value: q.to.toLowerCase() })
    if (q.subject) and.push({ field: 'subject', op: 'contains', value: q.subject, ci: true })
    const terms = q.q ? searchTerms(q.q) : []
    if (terms.length) {
      // Only the message ids (never the text column), newest first; one more than the bound says
      // whether the list was cut.
      const hits = await db.findMany<{ id: string; message: string }>({
        model: SEARCH,
        where: { and: terms.map((t) => ({ field: 'text', op: 'contains' as const, value: t })) },
        sort: [{ field: 'received_at', dir: 'desc' }],
        limit: searchHits + 1,
        select: ['message'],
      })
      truncated = hits.length > searchHits
      and.push({ field: 'id', op: 'in', value: hits.slice(0, searchHits).map((h) => h.message) })
    }
    if (q.states?.length) {
      const hits = await db.findMany<{ id: number; message: string }>({
        model: QUEUE,
        where: { field: 'state', op: 'in', value: q.states },
        sort: [{ field: 'id', dir: 'desc' }],
        limit: 10_000,
        select: ['message'],
      })
      and.push({ field: 'id', op: 'in', value: [...new Set(hits.map((h) => h.message))] })
    }
    return { where: and.length ? { and } : undefined, truncated }
  }

  async function listWhere(where: Where | undefined, q: MessageQuery): Promise<MessageSummary[]> {
    const rows = await db.findMany<MessageRow>({
      model: MESSAGE,
      ...(where ? { where } : {}),
      sort: [
        { field: 'received_at', dir: 'desc' },
        { field: 'id', dir: 'desc' },
      ],
      limit: Math.min(q.limit ?? 50, 1000),
      offset: q.offset ?? 0,
    })
    const entries = await entriesOf(rows.map((r) => r.id))
    return rows.map((m) => toSummary(m, entries.get(m.id) ?? []))
  }

  const countWhere = (where: Where | undefined) => db.count({ model: MESSAGE, ...(where ? { where } : {}) })

  return {
    async get(id) {
      const m = await db.findOne<MessageRow>({ model: MESSAGE, where: { field: 'id', value: id } })
      if (!m) return null
      return toSummary(m, (await entriesOf([m.id])).get(m.id) ?? [])
    },

    async raw(id) {
      const b = await db.findOne<{ id: string; data: string }>({
        model: BODY,
        where: { field: 'message', value: id },
      })
      return b ? new Uint8Array(Buffer.from(b.data, 'base64')) : null
    },

    async count(q: MessageQuery = {}) {
      return countWhere((await messageWhere(q)).where)
    },

    async list(q: MessageQuery = {}) {
      return listWhere((await messageWhere(q)).where, q)
    },

    async page(q: MessageQuery = {}) {
      const { where, truncated } = await messageWhere(q)
      const [total, messages] = await Promise.all([countWhere(where), listWhere(where, q)])
      return { total, messages, truncated }
    },

    async entries(q: EntryQuery = {}) {
      const and: Where[] = []
      if (q.ids) {
        if (!q.ids.length) return []
        and.push({ field: 'id', op: 'in', value: q.ids })
      }
      if (q.plugin) and.push({ field: 'plugin', value: q.plugin })
      if (q.states) and.push({ field: 'state', op: 'in', value: q.states })
      if (q.afterId !== undefined) and.push({ field: 'id', op: 'gt', value: q.afterId })
      const rows = await db.findMany<EntryRow>({
        model: QUEUE,
        ...(and.length ? { where: { and } } : {}),
        sort: [{ field: 'id' }],
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      })
      return rows.map(toEntry)
    },
  }
}
