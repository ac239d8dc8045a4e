import { defineRoutes, type OpenAPIHono, type PluginEnv, type RouteConfig, type z } from '@mailfront/core'
import type { Context } from 'hono'
import { type Authorize, schemes } from '../auth.ts'
import type { SmtpdErrorName } from '../errors.ts'
import type { Permission } from '../roles.ts'
import { errorResponses } from './schemas.ts'

export type C = Context<PluginEnv>
export const bearer: Record<string, string[]>[] = [schemes.bearer.security, schemes.keySecret.security]
export const AUTH_ERRORS = ['BAD_TOKEN', 'TOKEN_EXPIRED', 'FORBIDDEN_ROLE', 'RATE_LIMITED'] as const
export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})

/**
 * SMTPD's routes through the core's helper: a route with `security` is authenticated first, its
 * `need` (a permission) checked against the caller's role, before the request is validated: a key
 * whose role may not act gets 403 whatever its body. Handlers get the caller as `input.auth`.
 */
export const smtpdRoutes = (app: OpenAPIHono<PluginEnv>, authorize: Authorize) =>
  defineRoutes(app, { auth: authorize, answers: 'raw' })

type Spec = Omit<RouteConfig, 'responses'> & {
  ok: { status: number; body: ReturnType<typeof json> | { description: string; content?: object } }
  errors?: SmtpdErrorName[]
}

/** An authenticated route's declaration: bearer security, the auth errors and the route's own, its permission. */
export function authed<const S extends Spec>(need: Permission, spec: S) {
  const { ok, errors = [], ...rest } = spec
  return {
    ...rest,
    need,
    security: bearer,
    responses: { [ok.status]: ok.body, ...errorResponses(...AUTH_ERRORS, ...errors) },
  } as Omit<S, 'ok' | 'errors'> & {
    need: Permission
    security: typeof bearer
    responses: RouteConfig['responses']
  }
}

/** The client address the server saw (for the mail pipeline's logs). */
export const clientAddress = (c: C) => c.get('mailfront')?.ip

/** A GET on the account with bearer security, the auth errors and BAD_ID. */
export const accountGet = <const E extends Pick<RouteConfig, 'request'>>(
  path: string,
  operationId: string,
  summary: string,
  ok: ReturnType<typeof json>,
  extra: E = {} as E,
) => ({
  method: 'get' as const,
  path,
  operationId,
  summary,
  security: bearer,
  ...extra,
  responses: { 200: ok, ...errorResponses(...AUTH_ERRORS, 'BAD_ID') },
})
