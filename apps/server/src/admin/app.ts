import { contentSecurityHeaders } from '@mailfront/core'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type AdminMode, adminAccess } from './access.ts'

/** A group of admin routes (captured mail, reset, request log, faults…), mounted under /_mailfront. */
export type AdminRoutes = (admin: Hono) => void

/** The largest request body the admin API reads (a fixtures document, a fault): 16 MiB. */
export const ADMIN_BODY_LIMIT = 16 * 1024 * 1024

/** mailfront's own admin API at /_mailfront/*, behind one access rule (see adminAccess). */
export function createAdminApp(opts: {
  mode?: AdminMode
  token?: string
  /** No token set: a request with no socket (an in-process `app.request`) counts as loopback (see adminAccess). */
  inProcessIsLocal?: boolean
  groups: AdminRoutes[]
  bodyLimit?: number
}): Hono {
  const admin = new Hono()
  admin.use(
    '*',
    adminAccess({ mode: opts.mode ?? 'auto', token: opts.token, inProcessIsLocal: opts.inProcessIsLocal }),
  )
  // Bounded like every plugin's routes: a declared length over it is refused before reading, a
  // chunked body as soon as it passes it.
  const limit = opts.bodyLimit ?? ADMIN_BODY_LIMIT
  admin.use(
    '*',
    bodyLimit({
      maxSize: limit,
      onError: (c) => c.json({ error: `request body too large: at most ${limit} bytes` }, 413),
    }),
  )
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
