import {
  ApiError,
  consumeCall,
  defineAuthScheme,
  memoryRateLimitStore,
  type PluginContext,
  type PluginEnv,
  passwordAuth,
  pluginPath,
} from '@mailfront/core'
import type { Context } from 'hono'
import { errors, loginThrottled } from './errors.ts'
import { apiCalls } from './rate-limits.ts'
import { can, type Permission } from './roles.ts'
import type { Principal, SmtpdOptions, Tokens } from './tokens.ts'

/** SMTPD's schemes, in the order the docs list them. */
export const schemes = {
  basic: defineAuthScheme('smtpdBasic', {
    type: 'basic',
    description: 'For the password grant: e-mail:password, or an API key:secret.',
  }),
  bearer: defineAuthScheme('smtpdBearer', {
    type: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token from /oauth/token (`Authentication:` is accepted as an alias).',
  }),
  keySecret: defineAuthScheme('smtpdKeySecret', {
    type: 'basic',
    description: "On /api/v1 only: an API key's secret as the username, no password (or as a Bearer token).",
  }),
}

type C = Context<PluginEnv>

/** `Authorization`, or `Authentication` as the docs misspell it. */
export const authHeader = (c: C) => c.req.header('authorization') ?? c.req.header('authentication')

/**
 * Who is calling: a bearer JWT anywhere; on `/api/v1/…` also an API key's secret, as Bearer or as the
 * Basic username with no password (the seed's intro). A JWT has two dots, a secret none.
 */
export function authenticator(ctx: PluginContext, opts: SmtpdOptions, tokens: Tokens) {
  // Per instance, in memory: counting in the store would cost a write per request.
  const perPrincipal = memoryRateLimitStore({ clock: ctx.clock })
  // Wrong API-key secrets are throttled per client address by the core's login throttle (a secret has
  // no login to count per; 256 random bits are not guessed, but a scan still gets no free rein).
  const secrets = passwordAuth(ctx, {
    plugin: 'smtpd',
    scope: 'smtpd-secret',
    limits: { ...opts.login, perLogin: 0 },
    cache: false,
    denied: () => errors.BAD_TOKEN(),
    refused: loginThrottled,
  })
  const fromSecret = (c: C, secret: string) =>
    secrets.attempt('api-key-secret', c, () => tokens.fromSecret(secret))
  // A rejected JWT counts as a failed authentication too (a refusal by the throttle does not).
  const fromJwt = (jwt: string) =>
    tokens.fromJwt(jwt).catch((e: unknown) => {
      throw e instanceof ApiError ? secrets.failure(e) : e
    })

  async function identify(c: C, allowSecret: boolean): Promise<Principal> {
    const header = authHeader(c)
    const bearer = schemes.bearer.read(header)
    if (bearer) {
      if (bearer.split('.').length === 3) return (await fromJwt(bearer)).principal
      if (allowSecret) return fromSecret(c, bearer)
    } else if (allowSecret) {
      const basic = schemes.keySecret.read(header)
      if (basic && basic.password === '' && basic.username) return fromSecret(c, basic.username)
    }
    throw secrets.failure()
  }

  return async function authorize(c: C, need?: Permission): Promise<Principal> {
    const p = await identify(c, pluginPath(c).startsWith('/api/'))
    const window = apiCalls.window(opts)
    if (window) {
      const wait = await consumeCall(perPrincipal, p.key?.id ?? p.user.id, window, ctx.clock)
      // Counted in mailfront_rate_limited_total by the core when it answers the RATE_LIMITED.
      if (wait !== null) throw errors.RATE_LIMITED({ headers: { 'Retry-After': String(wait) } })
    }
    if (need && !can(p.role, need)) throw errors.FORBIDDEN_ROLE()
    return p
  }
}

export type Authorize = ReturnType<typeof authenticator>
