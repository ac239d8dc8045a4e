import { z } from '@mailfront/core'
import type { Context } from 'hono'
import type { RequestFilter, RequestLog } from '../request-log.ts'
import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { AnyObject, error, json } from './schemas.ts'

const Filter = z.object({
  plugin: z.string().optional().describe('plugin id'),
  method: z.string().optional().describe('HTTP method'),
  path: z.string().optional().describe('a path prefix or a * pattern'),
  status: z.string().optional().describe('a status code or a class (4xx)'),
  limit: z.number().int().min(1).optional().describe('at most this many'),
})

/** The log's filter from the query; a bad limit or status is a 400 saying what is expected. */
function filter(c: Context): RequestFilter {
  const q = c.req.query()
  const limit = q.limit === undefined ? undefined : Number(q.limit)
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new AdminError(400, 'limit: a positive integer')
  if (q.status && !/^([1-5]xx|[1-5]\d\d)$/i.test(q.status))
    throw new AdminError(400, 'status: a status such as 429, or a class such as 4xx')
  return { plugin: q.plugin, method: q.method, path: q.path, status: q.status, limit }
}

const tags = ['requests']

/** GET /_mailfront/requests (newest first; ?plugin=&method=&path=&status=&limit=), DELETE clears. */
export function requestRoutes(log: RequestLog): AdminRoutes {
  return (admin) => {
    const route = adminRoute(admin)
    route(
      {
        method: 'get',
        path: '/requests',
        tags,
        summary: 'The request log, newest first, secrets redacted',
        request: { query: Filter },
        decode: { query: filter },
        responses: {
          200: json(z.object({ size: z.number().int(), requests: z.array(AnyObject) })),
          400: error('a bad filter'),
        },
      },
      async (c, { query }) => c.json({ size: log.size, requests: await log.list(query) }),
    )
    route(
      {
        method: 'delete',
        path: '/requests',
        tags,
        summary: 'Clear the request log',
        responses: { 204: { description: 'cleared' } },
      },
      (c) => {
        log.clear()
        return c.body(null, 204)
      },
    )
  }
}
