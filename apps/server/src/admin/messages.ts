import { contentSecurityHeaders, type MessageQuery } from '@mailfront/core'
import { attachmentOf, type MailPipeline, parseMessage } from '@mailfront/mail'
import type { Context } from 'hono'
import type { AdminRoutes } from './app.ts'
import { attachmentHeaders } from './content-headers.ts'
import { type ReleaseConfig, releaseMessage } from './release.ts'
import { waitFor } from './wait.ts'

const FILTERS = ['q', 'from', 'to', 'subject', 'plugin'] as const
const CONTROLS = ['limit', 'offset', 'wait'] as const
const MAX_LIMIT = 500
/** The longest `?wait=`: long enough for a test's mail to arrive, short of a proxy's idle timeout. */
export const MAX_WAIT_S = 60

type Page = { limit: number; offset: number; wait: number }

/** The list's query, checked: an unknown name is a 400 naming the known ones (a misspelt filter never matches all). */
function listQuery(c: Context): { filters: Record<string, string>; page: Page } | string {
  const unknown = Object.keys(c.req.queries()).filter(
    (k) => !(FILTERS as readonly string[]).includes(k) && !(CONTROLS as readonly string[]).includes(k),
  )
  if (unknown.length)
    return `unknown filter ${unknown.map((k) => `"${k}"`).join(', ')}: the filters are ${FILTERS.join(', ')}; paging ${CONTROLS.join(', ')}`
  const page: Page = { limit: 50, offset: 0, wait: 0 }
  for (const k of CONTROLS) {
    const v = c.req.query(k)
    if (v === undefined) continue
    if (!/^\d{1,9}$/.test(v)) return `${k} must be a whole number`
    page[k] = Number(v)
  }
  if (page.limit < 1 || page.limit > MAX_LIMIT) return `limit must be between 1 and ${MAX_LIMIT}`
  if (page.wait > MAX_WAIT_S) return `wait must be at most ${MAX_WAIT_S} seconds`
  const filters: Record<string, string> = {}
  for (const k of FILTERS) {
    const v = c.req.query(k)
    if (v) filters[k] = v
  }
  return { filters, page }
}

/**
 * Captured and queued mail: `/_mailfront/messages…`. Newest first with a total; `limit`/`offset`
 * paging; `q` (full text), `from`, `to`, `subject` (case-insensitive substrings), `plugin` (exact).
 * `wait=<s>` (at most 60): when nothing matches yet, answer once something does, or at the end of the
 * wait with the empty list (200, `total: 0`: a timeout is an empty answer, never an error status).
 */
export function messageRoutes(
  mail: MailPipeline,
  release: ReleaseConfig = { allow: [] },
  /** Told of each release that sent (the `message.released` webhook). */
  onReleased?: (
    id: string,
    r: { at: number; to: string[]; failed: { recipient: string; response: string }[] },
  ) => void,
): AdminRoutes {
  return (admin) => {
    admin.get('/messages', async (c) => {
      const query = listQuery(c)
      if (typeof query === 'string') return c.json({ error: query }, 400)
      const { filters, page } = query
      const q: MessageQuery = { ...filters, limit: page.limit, offset: page.offset }
      const find = async () => {
        const found = await mail.page(q)
        return found.total || !page.wait ? found : null
      }
      const found = page.wait ? await waitFor(mail, find, page.wait * 1000, c.req.raw.signal) : await find()
      const { total, messages, truncated } = found ?? { total: 0, messages: [], truncated: false }
      // `truncated` only when a search matched more than it keeps (SEARCH_HITS, the newest).
      return c.json({
        total,
        limit: page.limit,
        offset: page.offset,
        ...(truncated ? { truncated } : {}),
        messages,
      })
    })
    admin.get('/messages/:id', async (c) => {
      const id = c.req.param('id')
      const m = await mail.get(id)
      const raw = m && (await mail.raw(id))
      if (!m || !raw) return c.json({ error: `no message ${id}` }, 404)
      const parsed = await parseMessage(raw)
      const base = `/_mailfront/messages/${encodeURIComponent(id)}/attachments`
      // Stored mail is always shown: what could be read, and where the raw source is.
      if (parsed.parseError)
        mail.log.warn({ mail: id, error: parsed.parseError }, 'captured mail: message could not be parsed')
      return c.json({
        ...m,
        ...parsed,
        ...(parsed.parseError ? { rawUrl: `/_mailfront/messages/${encodeURIComponent(id)}/raw` } : {}),
        attachments: parsed.attachments.map((a) => ({ ...a, url: `${base}/${a.index}` })),
      })
    })
    admin.get('/messages/:id/raw', async (c) => {
      const id = c.req.param('id')
      const raw = await mail.raw(id)
      if (!raw) return c.json({ error: `no message ${id}` }, 404)
      return c.body(raw as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'message/rfc822',
        ...contentSecurityHeaders({ download: `${id}.eml` }),
      })
    })
    admin.get('/messages/:id/attachments/:n{[0-9]{1,4}}', async (c) => {
      const id = c.req.param('id')
      const n = Number(c.req.param('n'))
      const raw = await mail.raw(id)
      if (!raw) return c.json({ error: `no message ${id}` }, 404)
      const a = await attachmentOf(raw, n)
      if (!a) return c.json({ error: `message ${id} has no attachment ${n}` }, 404)
      return c.body(
        new Uint8Array(a.content),
        200,
        attachmentHeaders(a.contentType, a.filename ?? `attachment-${n}`),
      )
    })
    admin.post('/messages/:id/release', async (c) => {
      let to: string[] | undefined
      const text = await c.req.text()
      if (text.trim()) {
        let body: unknown
        try {
          body = JSON.parse(text)
        } catch {
          return c.json({ error: 'the body must be JSON: {"to": ["address", …]} or empty' }, 400)
        }
        const list = (body as { to?: unknown })?.to
        if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string')))
          return c.json({ error: 'to must be a list of addresses' }, 400)
        to = list as string[] | undefined
      }
      const id = c.req.param('id')
      const r = await releaseMessage(mail, release, id, to)
      if (r.status === 200 && r.released) onReleased?.(id, r.released)
      return c.json(r.body, r.status)
    })
    admin.delete('/messages', async (c) => c.json({ deleted: await mail.clear() }))
    admin.delete('/messages/:id', async (c) => {
      const id = c.req.param('id')
      if (!(await mail.remove(id))) return c.json({ error: `no message ${id}` }, 404)
      return c.json({ deleted: 1 })
    })
  }
}
