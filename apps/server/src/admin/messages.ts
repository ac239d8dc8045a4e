import { contentSecurityHeaders } from '@mailfront/core'
import { type MailPipeline, parseMessage } from '@mailfront/mail'
import type { Context } from 'hono'
import type { AdminRoutes } from './app.ts'

const FILTERS = ['from', 'to', 'subject', 'plugin'] as const
const MAX_LIMIT = 500

function paging(c: Context): { limit: number; offset: number } | string {
  const out = { limit: 50, offset: 0 }
  for (const k of ['limit', 'offset'] as const) {
    const v = c.req.query(k)
    if (v === undefined) continue
    if (!/^\d{1,9}$/.test(v)) return `${k} must be a whole number`
    out[k] = Number(v)
  }
  if (out.limit < 1 || out.limit > MAX_LIMIT) return `limit must be between 1 and ${MAX_LIMIT}`
  return out
}

/**
 * Captured and queued mail: `/_mailfront/messages…`. Newest first; `limit`/`offset` paging;
 * `from`, `to`, `subject`, `plugin` filters (case-insensitive substrings, `plugin` exact).
 */
export function messageRoutes(mail: MailPipeline): AdminRoutes {
  return (admin) => {
    admin.get('/messages', async (c) => {
      const page = paging(c)
      if (typeof page === 'string') return c.json({ error: page }, 400)
      const q: Record<string, string> = {}
      for (const k of FILTERS) {
        const v = c.req.query(k)
        if (v) q[k] = v
      }
      const [total, messages] = await Promise.all([mail.count(q), mail.list({ ...q, ...page })])
      return c.json({ total, ...page, messages })
    })
    admin.get('/messages/:id', async (c) => {
      const id = c.req.param('id')
      const m = await mail.get(id)
      const raw = m && (await mail.raw(id))
      if (!m || !raw) return c.json({ error: `no message ${id}` }, 404)
      return c.json({ ...m, ...(await parseMessage(raw)) })
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
    admin.delete('/messages', async (c) => c.json({ deleted: await mail.clear() }))
    admin.delete('/messages/:id', async (c) => {
      const id = c.req.param('id')
      if (!(await mail.remove(id))) return c.json({ error: `no message ${id}` }, 404)
      return c.json({ deleted: 1 })
    })
  }
}
