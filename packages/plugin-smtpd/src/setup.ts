import { loginLimitsOf, type PluginContext } from '@mailfront/core'
import { authenticator } from './auth.ts'
import { type SmtpdOptionValues, sendingOptionsOf } from './options.ts'
import type { Resolver } from './sending/dns.ts'
import { sendingService } from './sending/service.ts'
import { type SmtpdOptions, tokenService } from './tokens.ts'

const DAY_MS = 86_400_000

/** Tokens, the request authenticator and the sending service, built once from the options. */
export function smtpdSetup(ctx: PluginContext<SmtpdOptionValues>, resolver?: Resolver) {
  const o = ctx.options
  const auth: SmtpdOptions = {
    issuer: o.issuer,
    accessTtlS: o.accessTtlS,
    refreshTtlMs: o.refreshTtlDays * DAY_MS,
    keyIdleMs: o.keyIdleDays * DAY_MS,
    // The older names count when the new ones are left at their defaults.
    login: loginLimitsOf(o, { loginFailures: o.grantAttempts, loginWindowS: o.grantWindowS }),
    callsPerMin: o.callsPerMin,
  }
  const tokens = tokenService(ctx, auth)
  return {
    auth,
    tokens,
    authorize: authenticator(ctx, auth, tokens),
    sending: sendingService(ctx, sendingOptionsOf(o, resolver)),
  }
}
export type SmtpdState = ReturnType<typeof smtpdSetup>
export type SmtpdContext = PluginContext<SmtpdOptionValues, SmtpdState>
