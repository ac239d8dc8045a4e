import { defineRoutes, type OpenAPIHono, type PluginEnv } from '@mailfront/core'
import { deleteAlias, getAlias, listAliases, putAlias } from './aliases.ts'
import { ROUTES } from './docs.ts'
import { ERRORS } from './errors.ts'
import type { ExampleContext } from './setup.ts'
import { aliasWire } from './store.ts'

/**
 * Each route of docs.ts with its handler, through the core's route helper: a route with `security`
 * runs `authorize` first (a stranger learns nothing from validation errors), then the route's schemas
 * validate the request (a failure reaches `renderError` as VALIDATION_FAILED), then the handler gets
 * the typed parts.
 */
export function registerRoutes(app: OpenAPIHono<PluginEnv>, ctx: ExampleContext): void {
  const route = defineRoutes(app, { auth: (c) => ctx.state.authorize(c) })

  route(ROUTES.list, async (c, { query }) => {
    const rows = await listAliases(ctx, query.domain)
    return c.json({ aliases: rows.map(aliasWire) }, 200)
  })
  route(ROUTES.get, async (c, { params }) => c.json(aliasWire(await getAlias(ctx, params.address)), 200))
  route(ROUTES.put, async (c, { params, body }) => {
    const max = ctx.options.maxDestinations
    if (body.destinations.length > max)
      throw ERRORS.TOO_MANY_DESTINATIONS({ message: `At most ${max} destinations` })
    const { row, created } = await putAlias(ctx, params.address, body)
    return created ? c.json(aliasWire(row), 201) : c.json(aliasWire(row), 200)
  })
  route(ROUTES.delete, async (c, { params }) => {
    await deleteAlias(ctx, params.address)
    return c.body(null, 204)
  })
}
