import { loginThrottleLimitsFrom, type PluginContext } from '@mailfront/core'
import type { SmtpdOptions } from './tokens.ts'

const DAY_MS = 86_400_000

function whole(ctx: PluginContext, name: string, dflt: number, min = 0): number {
  const v = ctx.options[name] ?? String(dflt)
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new Error(`MAILFRONT_SMTPD_${name.toUpperCase()} must be a whole number ≥ ${min}, got "${v}"`)
  return Number(v)
}

export function optionsFrom(ctx: PluginContext): SmtpdOptions {
  const issuer = ctx.options.issuer ?? 'SMTPD Inc'
  if (!issuer.trim()) throw new Error('MAILFRONT_SMTPD_ISSUER must not be empty')
  return {
    issuer,
    accessTtlS: whole(ctx, 'access_ttl_s', 3600, 1),
    refreshTtlMs: whole(ctx, 'refresh_ttl_days', 30, 1) * DAY_MS,
    keyIdleMs: whole(ctx, 'key_idle_days', 90, 1) * DAY_MS,
    // The older names still work: GRANT_ATTEMPTS is LOGIN_FAILURES, GRANT_WINDOW_S is LOGIN_WINDOW_S.
    login: loginThrottleLimitsFrom(ctx.options, 'MAILFRONT_SMTPD_', {
      grant_attempts: 'login_failures',
      grant_window_s: 'login_window_s',
    }),
    callsPerMin: whole(ctx, 'calls_per_min', 6000),
  }
}
