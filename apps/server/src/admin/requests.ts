import type { RequestLog } from '../request-log.ts'
import type { AdminRoutes } from './app.ts'

/** GET /_mailfront/requests (newest first; ?plugin=&method=&path=&status=&limit=), DELETE clears. */
export function requestRoutes(log: RequestLog): AdminRoutes {
  return (admin) => {
    admin.get('/requests', async (c) => {
      const q = c.req.query()
      const limit = q.limit === undefined ? undefined : Number(q.limit)
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
        return c.json({ error: 'limit: a positive integer' }, 400)
      if (q.status && !/^([1-5]xx|[1-5]\d\d)$/i.test(q.status))
        return c.json({ error: 'status: a status such as 429, or a class such as 4xx' }, 400)
      const requests = await log.list({
        plugin: q.plugin,
        method: q.method,
        path: q.path,
        status: q.status,
        limit,
      })
      return c.json({ size: log.size, requests })
    })
    admin.delete('/requests', (c) => {
      log.clear()
      return c.body(null, 204)
    })
  }
}
