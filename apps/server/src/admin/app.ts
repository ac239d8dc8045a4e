import { contentSecurityHeaders } from '@mailfront/core'
import { Hono } from 'hono'
import { type AdminMode, adminAccess } from './access.ts'

/** A group of admin routes (captured mail, reset, request log, faults…), mounted under /_mailfront. */
export type AdminRoutes = (admin: Hono) => void

/** mailfront's own admin API at /_mailfront/*, behind one access rule (see adminAccess). */
export function createAdminApp(opts: { mode?: AdminMode; token?: string; groups: AdminRoutes[] }): Hono {
  const admin = new Hono()
  admin.use('*', adminAccess({ mode: opts.mode ?? 'auto', token: opts.token }))
  // Everything here may carry captured mail (a message's HTML in JSON, its source, its parts): opened
  // in a browser, none of it runs as mailfront or is sniffed as HTML. A route's own headers win.
  const sandbox = Object.entries(contentSecurityHeaders())
  admin.use('*', async (c, next) => {
    await next()
    for (const [k, v] of sandbox) if (!c.res.headers.has(k)) c.res.headers.set(k, v)
  })
  for (const add of opts.groups) add(admin)
  admin.notFound((c) => c.json({ error: 'not found' }, 404))
  return admin
}
