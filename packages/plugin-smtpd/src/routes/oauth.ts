import {
  ApiError,
  createRoute,
  LoginThrottle,
  type OpenAPIHono,
  type PluginContext,
  type PluginEnv,
  parseBasic,
  z,
} from '@mailfront/core'
import type { Context } from 'hono'
import { type Authorize, authHeader } from '../auth.ts'
import { readFields } from '../body.ts'
import { loginThrottled, smtpdError } from '../errors.ts'
import { meView } from '../store.ts'
import type { SmtpdOptions, Tokens } from '../tokens.ts'
import { errorResponses, Me, TokenResponse } from './schemas.ts'

type C = Context<PluginEnv>

export function registerOauth(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  opts: SmtpdOptions,
  tokens: Tokens,
  authorize: Authorize,
) {
  // The core's login throttle: only failed grants count (per e-mail or key and address, per address).
  const throttle = new LoginThrottle(ctx.rateLimits, {
    scope: 'smtpd',
    limits: opts.login,
    clock: ctx.clock,
    onRefused: () => ctx.events.rateLimited('smtpd'),
  })

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/oauth/token',
    operationId: 'smtpdToken',
    summary:
      'Grant (grant_type=password: Basic e-mail:password or key:secret) or refresh (grant_type=refresh_token)',
    security: [{ smtpdBasic: [] }, {}],
    request: {
      query: z.object({ grant_type: z.enum(['password', 'refresh_token']) }),
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z.object({
              refresh_token: z.string().optional().describe('grant_type=refresh_token'),
              username: z.string().optional().describe('fallback when there is no Basic header'),
              password: z.string().optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: 'Tokens', content: { 'application/json': { schema: TokenResponse } } },
      ...errorResponses('UNSUPPORTED_GRANT', 'BAD_CREDENTIALS', 'BAD_REFRESH', 'RATE_LIMITED'),
    },
  })
  app.post('/oauth/token', async (c) => {
    const fields = await readFields(c, ctx.bodyLimit)
    const grant = c.req.query('grant_type') ?? fields.grant_type
    if (grant === 'password') {
      const basic = parseBasic(authHeader(c))
      const username = basic?.username ?? fields.username ?? ''
      const password = basic?.password ?? fields.password ?? ''
      if (!username) {
        ctx.events.authFailure('smtpd')
        throw smtpdError('BAD_CREDENTIALS')
      }
      const outcome = await throttle.attempt(username, c.get('mailfront')?.ip ?? 'local', () =>
        tokens.checkCredentials(username, password).catch((e) => {
          if (e instanceof ApiError && e.code === 'BAD_CREDENTIALS') return null
          throw e
        }),
      )
      if (outcome.status === 'refused') throw loginThrottled(outcome.retryAfterS)
      if (outcome.status === 'failed') {
        ctx.events.authFailure('smtpd')
        throw smtpdError('BAD_CREDENTIALS')
      }
      return c.json(await tokens.grant(outcome.value))
    }
    if (grant === 'refresh_token') {
      // A Bearer header may come along (the Go client sends its old access token): it is ignored.
      if (!fields.refresh_token) throw smtpdError('BAD_REFRESH')
      return c.json(await tokens.refresh(fields.refresh_token))
    }
    throw smtpdError('UNSUPPORTED_GRANT', {
      message: `Unsupported grant_type "${grant ?? ''}": use password or refresh_token`,
    })
  })

  // Documented here, handled by hand: the body may be JSON or a form, and the bearer is checked first.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/oauth/revoke',
    operationId: 'smtpdRevoke',
    summary: 'Revoke a refresh token (logout)',
    security: [{ smtpdBearer: [] }],
    request: {
      body: { content: { 'application/json': { schema: z.object({ refresh_token: z.string() }) } } },
    },
    responses: {
      200: { description: 'Revoked', content: { 'application/json': { schema: z.object({}) } } },
      ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED', 'BAD_REFRESH'),
    },
  })
  app.post('/oauth/revoke', async (c) => {
    const p = await authorize(c)
    const { refresh_token } = await readFields(c, ctx.bodyLimit)
    if (!refresh_token) throw smtpdError('BAD_REFRESH', { status: 401 })
    await tokens.revoke(p, refresh_token)
    return c.json({})
  })

  app.openapi(
    createRoute({
      method: 'get',
      path: '/oauth/me',
      operationId: 'smtpdMe',
      summary: 'The logged-in user (for an API-key token: the user who created the key)',
      security: [{ smtpdBearer: [] }],
      responses: {
        200: {
          description: 'The user; times in milliseconds',
          content: { 'application/json': { schema: Me } },
        },
        ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED'),
      },
    }),
    (async (c: C) => c.json(meView((await authorize(c)).user))) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/oauth/validate',
      operationId: 'smtpdValidate',
      summary:
        'Whether the bearer token is valid (the Go client calls it before each use); answers its claims',
      security: [{ smtpdBearer: [] }],
      responses: {
        200: {
          description: 'Valid: the claims',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED'),
      },
    }),
    (async (c: C) => {
      const token = (authHeader(c) ?? '').replace(/^bearer\s+/i, '').trim()
      await authorize(c)
      if (token.split('.').length !== 3) throw smtpdError('BAD_TOKEN')
      return c.json((await tokens.fromJwt(token)).claims)
    }) as never,
  )
}
