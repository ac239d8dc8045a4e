import { createRoute, type OpenAPIHono, type PluginEnv, type z } from '@mailfront/core'
import type { Context } from 'hono'
import { type Authorize, schemes } from '../auth.ts'
import type { SmtpdErrorName } from '../errors.ts'
import type { Permission } from '../roles.ts'
import type { Principal } from '../tokens.ts'
import { errorResponses } from './schemas.ts'

export type C = Context<PluginEnv>
export const bearer: Record<string, string[]>[] = [schemes.bearer.security, schemes.keySecret.security]
export const AUTH_ERRORS = ['BAD_TOKEN', 'TOKEN_EXPIRED', 'FORBIDDEN_ROLE', 'RATE_LIMITED'] as const
export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
export const jsonBody = (schema: z.ZodType) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})
export const valid = <T>(c: C, where: 'json' | 'query' = 'json'): T =>
  (c.req as unknown as { valid(t: string): T }).valid(where)

type RouteSpec = Parameters<typeof createRoute>[0]

/**
 * Registers an authenticated route: the OpenAPI definition (bearer security, the auth errors and
 * the route's own), then the handler with the caller, after the role check.
 */
export function authedRoutes(app: OpenAPIHono<PluginEnv>, authorize: Authorize) {
  return (
    spec: Omit<RouteSpec, 'responses'> & {
      ok: { status: number; body: ReturnType<typeof json> | { description: string; content?: object } }
      errors?: SmtpdErrorName[]
    },
    need: Permission,
    handler: (c: C, p: Principal) => Promise<Response>,
  ) => {
    const { ok, errors = [], ...rest } = spec
    const r = createRoute({
      ...rest,
      security: bearer,
      responses: { [ok.status]: ok.body, ...errorResponses(...AUTH_ERRORS, ...errors) },
    } as RouteSpec)
    app.openapi(r, (async (c: C) => handler(c, await authorize(c, need))) as never)
  }
}

/** The client address the server saw (for the mail pipeline's logs). */
export const clientAddress = (c: C) => c.get('mailfront')?.ip

/**
 * The account routes' builders: `get` (bearer security, the auth errors and BAD_ID) and `route`
 * (the handler gets the caller after the role check).
 */
export function accountRoutes(app: OpenAPIHono<PluginEnv>, authorize: Authorize) {
  const get = (
    path: string,
    operationId: string,
    summary: string,
    ok: ReturnType<typeof json>,
    extra: object = {},
  ) =>
    createRoute({
      method: 'get',
      path,
      operationId,
      summary,
      security: bearer,
      ...extra,
      responses: { 200: ok, ...errorResponses(...AUTH_ERRORS, 'BAD_ID') },
    })
  const route = <R extends ReturnType<typeof createRoute>>(
    r: R,
    need: Permission | null,
    h: (c: C, p: Awaited<ReturnType<Authorize>> | null) => Promise<Response>,
  ) => app.openapi(r, (async (c: C) => h(c, need === null ? null : await authorize(c, need))) as never)
  return { get, route }
}
