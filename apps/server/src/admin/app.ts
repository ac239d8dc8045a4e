import { contentSecurityHeaders, defineRoutes, OpenAPIHono, type PluginEnv } from '@mailfront/core'
import { bodyLimit } from 'hono/body-limit'
import { type AdminMode, adminAccess, type HostGuard, sameOriginWrites } from './access.ts'

/** The admin app: its routes are declared once (defineRoutes), which is also its OpenAPI document. */
export type AdminApp = OpenAPIHono<PluginEnv>

/** A group of admin routes (captured mail, reset, request log, faults…), mounted under /_mailfront. */
export type AdminRoutes = (admin: AdminApp) => void

/** The largest request body the admin API reads (a fixtures document, a fault): 16 MiB. */
export const ADMIN_BODY_LIMIT = 16 * 1024 * 1024

/** An admin answer other than 200 from a decoder or a handler: `{error: message}` with its status. */
export class AdminError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 415,
    message: string,
  ) {
    super(message)
  }
}

/**
 * How an admin group declares its routes: the core's route helper, so the declaration is both the
 * route and its entry in /openapi/_mailfront.json. Handlers answer any Response (a stream, raw mail,
 * a 204); the admin API reads its bodies and queries with its own decoders (their messages are the API's).
 */
export const adminRoute = (admin: AdminApp) => defineRoutes(admin, { answers: 'raw' })

/** mailfront's own admin API at /_mailfront/*, behind one access rule (see adminAccess). */
export function createAdminApp(opts: {
  mode?: AdminMode
  token?: string
  /** No token set: a request with no socket (an in-process `app.request`) counts as loopback (see adminAccess). */
  inProcessIsLocal?: boolean
  /** No token set: the host names answered besides loopback (see adminAccess); loopback only without. */
  hostGuard?: HostGuard
  groups: AdminRoutes[]
  bodyLimit?: number
}): AdminApp {
  // A path parameter its schema refuses (an attachment index that is no number) is a 400 naming it.
  const admin: AdminApp = new OpenAPIHono<PluginEnv>({
    defaultHook: (r, c) => {
      if (r.success) return
      const i = r.error.issues[0]
      return c.json({ error: `${i?.path.map(String).join('.') || r.target}: ${i?.message}` }, 400)
    },
  })
  admin.use(
    '*',
    adminAccess({
      mode: opts.mode ?? 'auto',
      token: opts.token,
      inProcessIsLocal: opts.inProcessIsLocal,
      hostGuard: opts.hostGuard,
    }),
  )
  admin.use('*', sameOriginWrites())
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
  admin.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'MAILFRONT_ADMIN_TOKEN',
  })
  for (const add of opts.groups) add(admin)
  admin.notFound((c) => c.json({ error: 'not found' }, 404))
  admin.onError((e, c) => {
    if (e instanceof AdminError) return c.json({ error: e.message }, e.status)
    throw e
  })
  return admin
}
