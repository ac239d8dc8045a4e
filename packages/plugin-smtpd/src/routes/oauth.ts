import { clientAddressOf, type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import { type Authorize, authHeader, schemes } from '../auth.ts'
import { readFields } from '../body.ts'
import { errors } from '../errors.ts'
import { meView } from '../store.ts'
import type { Tokens } from '../tokens.ts'
import { type C, smtpdRoutes } from './common.ts'
import { errorResponses, Me, TokenResponse } from './schemas.ts'

export function registerOauth(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  tokens: Tokens,
  authorize: Authorize,
) {
  const route = smtpdRoutes(app, authorize)
  // The grant's body may be JSON or a form (or absent: the password grant sends none).
  const fields = { body: (c: C) => readFields(c, ctx.bodyLimit) }

  route(
    {
      method: 'post',
      path: '/oauth/token',
      operationId: 'smtpdToken',
      summary:
        'Grant (grant_type=password: Basic e-mail:password or key:secret) or refresh (grant_type=refresh_token)',
      security: [schemes.basic.security, {}],
      request: {
        query: z.object({ grant_type: z.enum(['password', 'refresh_token']) }),
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z.object({
                grant_type: z
                  .enum(['password', 'refresh_token'])
                  .optional()
                  .describe('when the query has none'),
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
      // grant_type may be in the query or the body, any other value is UNSUPPORTED_GRANT: read below.
      decode: { ...fields, query: () => ({}) },
    },
    async (c, { body }) => {
      const grant: string | undefined = c.req.query('grant_type') ?? body.grant_type
      if (grant === 'password') {
        const basic = schemes.basic.read(authHeader(c))
        const username = basic?.username ?? body.username ?? ''
        const password = basic?.password ?? body.password ?? ''
        const principal = await tokens.logIn(username, password, clientAddressOf(c))
        return c.json(await tokens.grant(principal))
      }
      if (grant === 'refresh_token') {
        // A Bearer header may come along (the Go client sends its old access token): it is ignored.
        if (!body.refresh_token) throw errors.BAD_REFRESH()
        return c.json(await tokens.refresh(body.refresh_token))
      }
      throw errors.UNSUPPORTED_GRANT({
        message: `Unsupported grant_type "${grant ?? ''}": use password or refresh_token`,
      })
    },
  )

  // The bearer is checked first, then the body (JSON or a form).
  route(
    {
      method: 'post',
      path: '/oauth/revoke',
      operationId: 'smtpdRevoke',
      summary: 'Revoke a refresh token (logout)',
      security: [schemes.bearer.security],
      request: {
        body: { content: { 'application/json': { schema: z.object({ refresh_token: z.string() }) } } },
      },
      responses: {
        200: { description: 'Revoked', content: { 'application/json': { schema: z.object({}) } } },
        ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED', 'BAD_REFRESH'),
      },
      decode: fields,
    },
    async (c, { auth, body }) => {
      if (!body.refresh_token) throw errors.BAD_REFRESH({ status: 401 })
      await tokens.revoke(auth, body.refresh_token)
      return c.json({})
    },
  )

  route(
    {
      method: 'get',
      path: '/oauth/me',
      operationId: 'smtpdMe',
      summary: 'The logged-in user (for an API-key token: the user who created the key)',
      security: [schemes.bearer.security],
      responses: {
        200: {
          description: 'The user; times in milliseconds',
          content: { 'application/json': { schema: Me } },
        },
        ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED'),
      },
    },
    (c, { auth }) => c.json(meView(auth.user)),
  )

  route(
    {
      method: 'get',
      path: '/oauth/validate',
      operationId: 'smtpdValidate',
      summary:
        'Whether the bearer token is valid (the Go client calls it before each use); answers its claims',
      security: [schemes.bearer.security],
      responses: {
        200: {
          description: 'Valid: the claims',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        ...errorResponses('BAD_TOKEN', 'TOKEN_EXPIRED'),
      },
    },
    async (c) => {
      const token = (authHeader(c) ?? '').replace(/^bearer\s+/i, '').trim()
      if (token.split('.').length !== 3) throw errors.BAD_TOKEN()
      return c.json((await tokens.fromJwt(token)).claims)
    },
  )
}
