import { z } from '@mailfront/core'
import { type AdminApp, type AdminRoutes, adminRoute } from './app.ts'
import { json } from './schemas.ts'

/** Where the admin API's own OpenAPI document is served (public: a description holds no data). */
export const ADMIN_OPENAPI_PATH = '/openapi/_mailfront.json'

type Doc = ReturnType<AdminApp['getOpenAPI31Document']>
const built = new WeakMap<AdminApp, Doc>()

/**
 * mailfront's own admin API (`/_mailfront/…`) as an OpenAPI 3.1 document, generated from the admin
 * app's route declarations (adminRoute), so a route and its description cannot differ. Built once per
 * app: its routes are fixed when it is.
 */
export function adminOpenApi(admin: AdminApp, version: string): Doc {
  let doc = built.get(admin)
  if (!doc) {
    doc = admin.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'mailfront admin API',
        version,
        description:
          'Captured mail, reset and fixtures, the request log, faults, the clock, webhooks and live events of a mailfront server. ' +
          'Open to loopback clients under a loopback host name (or one of MAILFRONT_ADMIN_HOSTS) when no ' +
          'MAILFRONT_ADMIN_TOKEN is set; with one, every client sends ' +
          '`Authorization: Bearer <token>`.',
      },
      servers: [{ url: '/_mailfront' }],
      security: [{}, { adminToken: [] }],
      tags: [
        { name: 'mail', description: 'captured and queued mail' },
        { name: 'state', description: 'reset and fixtures' },
        { name: 'requests', description: 'the request log' },
        { name: 'faults', description: 'failures on demand' },
        { name: 'clock', description: 'the movable clock' },
        { name: 'events', description: 'live updates' },
        { name: 'webhooks', description: 'signed outbound message events and their delivery log' },
      ],
    })
    built.set(admin, doc)
  }
  return doc
}

const Index = z.object({
  name: z.string(),
  version: z.string(),
  openapi: z.string(),
  docs: z.string(),
  ui: z.string(),
  routes: z.array(z.object({ method: z.string(), path: z.string(), summary: z.string() })),
})

/** GET /_mailfront/: what the admin API offers (its document's operations). */
export function adminIndex(admin: AdminApp, version: string): z.output<typeof Index> {
  const paths = (adminOpenApi(admin, version).paths ?? {}) as Record<
    string,
    Record<string, { summary: string }>
  >
  return {
    name: 'mailfront admin API',
    version,
    openapi: ADMIN_OPENAPI_PATH,
    docs: '/docs',
    ui: '/',
    routes: Object.entries(paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, o]) => ({
        method: method.toUpperCase(),
        path: `/_mailfront${p}`,
        summary: o.summary,
      })),
    ),
  }
}

/** GET /_mailfront: the index above. */
export function indexRoutes(version: string): AdminRoutes {
  return (admin) =>
    adminRoute(admin)(
      {
        method: 'get',
        path: '/',
        tags: ['state'],
        summary: 'This index: what the admin API offers and where it is described',
        responses: { 200: json(Index) },
      },
      (c) => c.json(adminIndex(admin, version)),
    )
}
