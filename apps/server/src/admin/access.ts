import { safeEqual } from '@mailfront/core'
import type { MiddlewareHandler } from 'hono'
import { isLoopback } from '../config.ts'

/**
 * The admin prefix's access rule: loopback clients need nothing; any other client needs
 * `Authorization: Bearer <MAILFRONT_ADMIN_TOKEN>` (401 without); with no token configured the
 * prefix does not exist for them (404), so a server on a public address exposes nothing.
 * `clientAddress` is '' for in-process calls (app.request), which are trusted like loopback.
 */
export function adminAccess(
  token: string | undefined,
  clientAddress: (c: Parameters<MiddlewareHandler>[0]) => string,
): MiddlewareHandler {
  return async (c, next) => {
    const ip = clientAddress(c).replace(/^::ffff:/, '')
    if (ip === '' || isLoopback(ip)) return next()
    if (!token) return c.json({ error: 'not found' }, 404)
    const auth = c.req.header('authorization') ?? ''
    const m = /^Bearer[ ]+(\S+)$/i.exec(auth)
    if (!m || !safeEqual(m[1]!, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="mailfront admin"')
      return c.json({ error: 'admin token required' }, 401)
    }
    return next()
  }
}
