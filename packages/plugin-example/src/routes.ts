import type { OpenAPIHono, PluginEnv } from '@mailfront/core'
import type { Context } from 'hono'
import { deleteAlias, getAlias, listAliases, putAlias } from './aliases.ts'
import { ROUTES } from './docs.ts'
import { exampleError } from './errors.ts'
import type { ExampleContext } from './options.ts'
import { aliasWire } from './store.ts'

/**
 * Each route of docs.ts with its handler. `app.openapi` validates the request with the route's
 * schemas (a failure reaches `renderError` as VALIDATION_FAILED) before the handler runs; a route
 * with `security` is guarded first, so a stranger learns nothing from validation errors.
 */
export function registerRoutes(app: OpenAPIHono<PluginEnv>, ctx: ExampleContext): void {
  const guard = async (c: Context<PluginEnv>, next: () => Promise<void>) => {
    await ctx.state.authorize(c)
    await next()
  }
  for (const route of Object.values(ROUTES))
    if (route.security?.length) app.on(route.method.toUpperCase(), route.getRoutingPath(), guard)

  app.openapi(ROUTES.list, async (c) => {
    const { domain } = c.req.valid('query')
    const rows = await listAliases(ctx, domain)
    return c.json({ aliases: rows.map(aliasWire) }, 200)
  })
  app.openapi(ROUTES.get, async (c) => {
    const { address } = c.req.valid('param')
    return c.json(aliasWire(await getAlias(ctx, address)), 200)
  })
  app.openapi(ROUTES.put, async (c) => {
    const { address } = c.req.valid('param')
    const body = c.req.valid('json')
    const max = ctx.options.maxDestinations
    if (body.destinations.length > max)
      throw exampleError('TOO_MANY_DESTINATIONS', { message: `At most ${max} destinations` })
    const { row, created } = await putAlias(ctx, address, body)
    return created ? c.json(aliasWire(row), 201) : c.json(aliasWire(row), 200)
  })
  app.openapi(ROUTES.delete, async (c) => {
    await deleteAlias(ctx, c.req.valid('param').address)
    return c.body(null, 204)
  })
}
