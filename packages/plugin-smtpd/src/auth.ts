import {
  ApiError,
  LoginThrottle,
  memoryRateLimitStore,
  type PluginContext,
  type PluginEnv,
  parseBasic,
  parseBearer,
  pluginPath,
  retryAfterSeconds,
} from '@mailfront/core'
import type { Context } from 'hono'
import { loginThrottled, smtpdError } from './errors.ts'
import { can, type Permission } from './roles.ts'
import type { Principal, SmtpdOptions, Tokens } from './tokens.ts'

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
  const secrets = new LoginThrottle(ctx.rateLimits, {
    scope: 'smtpd-secret',
    limits: { ...opts.login, perLogin: 0 },
    clock: ctx.clock,
    onRefused: () => ctx.events.rateLimited('smtpd'),
  })
  async function fromSecret(c: C, secret: string): Promise<Principal> {
    const outcome = await secrets.attempt('api-key-secret', c.get('mailfront')?.ip ?? 'local', () =>
      tokens.fromSecret(secret).catch((e) => {
        if (e instanceof ApiError && e.code === 'BAD_TOKEN') return null
        throw e
      }),
    )
    if (outcome.status === 'refused') throw loginThrottled(outcome.retryAfterS)
    if (outcome.status === 'failed') throw smtpdError('BAD_TOKEN')
    return outcome.value
  }

  async function identify(c: C, allowSecret: boolean): Promise<Principal> {
    const header = authHeader(c)
    const bearer = parseBearer(header)
    if (bearer) {
      if (bearer.split('.').length === 3) return (await tokens.fromJwt(bearer)).principal
      if (allowSecret) return fromSecret(c, bearer)
    } else if (allowSecret) {
      const basic = parseBasic(header)
      if (basic && basic.password === '' && basic.username) return fromSecret(c, basic.username)
    }
    throw smtpdError('BAD_TOKEN')
  }

  return async function authorize(c: C, need?: Permission): Promise<Principal> {
    let p: Principal
    try {
      p = await identify(c, pluginPath(c).startsWith('/api/'))
    } catch (e) {
      if (e instanceof ApiError && e.code !== 'RATE_LIMITED') ctx.events.authFailure('smtpd')
      throw e
    }
    if (opts.callsPerMin) {
      const r = await perPrincipal.consume(p.key?.id ?? p.user.id, {
        windowMs: 60_000,
        max: opts.callsPerMin,
      })
      if (!r.allowed) {
        ctx.events.rateLimited('smtpd')
        throw smtpdError('RATE_LIMITED', {
          headers: { 'Retry-After': String(retryAfterSeconds(r.resetAt, ctx.clock.now())) },
        })
      }
    }
    if (need && !can(p.role, need)) throw smtpdError('FORBIDDEN_ROLE')
    return p
  }
}

export type Authorize = ReturnType<typeof authenticator>
