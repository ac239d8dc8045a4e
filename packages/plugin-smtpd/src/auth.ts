import {
  memoryRateLimitStore,
  type PluginContext,
  type PluginEnv,
  parseBasic,
  parseBearer,
  retryAfterSeconds,
} from '@mailfront/core'
import type { Context } from 'hono'
import { smtpdError } from './errors.ts'
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

  async function identify(c: C, allowSecret: boolean): Promise<Principal> {
    const header = authHeader(c)
    const bearer = parseBearer(header)
    if (bearer) {
      if (bearer.split('.').length === 3) return (await tokens.fromJwt(bearer)).principal
      if (allowSecret) return tokens.fromSecret(bearer)
    } else if (allowSecret) {
      const basic = parseBasic(header)
      if (basic && basic.password === '' && basic.username) return tokens.fromSecret(basic.username)
    }
    throw smtpdError('BAD_TOKEN')
  }

  return async function authorize(c: C, need?: Permission): Promise<Principal> {
    let p: Principal
    try {
      p = await identify(c, c.req.path.startsWith('/api/'))
    } catch (e) {
      ctx.events.authFailure('smtpd')
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
