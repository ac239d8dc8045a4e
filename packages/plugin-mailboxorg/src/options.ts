import { loginThrottleLimitsFrom, type PluginContext } from '@mailfront/core'
import type { MailboxorgOptions } from './method.ts'

function whole(ctx: PluginContext, name: string, dflt: number, min = 0): number {
  const v = ctx.options[name] ?? String(dflt)
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new Error(`MAILFRONT_MAILBOXORG_${name.toUpperCase()} must be a whole number ≥ ${min}, got "${v}"`)
  return Number(v)
}

const SERVER = /^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[\da-f:]+\](:\d{1,5})?|[\da-f:]+)$/i

/** A comma-separated list of DNS servers (`ip`, `ip:port`, `[ipv6]:port`). */
function list(ctx: PluginContext, name: string): string[] {
  const v: string | undefined = ctx.options[name]?.trim()
  if (!v) return []
  const servers = v.split(',').map((s) => s.trim())
  const bad = servers.find((s) => !SERVER.test(s))
  if (bad)
    throw new Error(
      `MAILFRONT_MAILBOXORG_${name.toUpperCase()} must list IP addresses (ip or ip:port), got "${bad}"`,
    )
  return servers
}

export function optionsFrom(ctx: PluginContext): MailboxorgOptions {
  return {
    sessionTtlMs: whole(ctx, 'session_ttl_s', 1200, 1) * 1000,
    maxBatch: whole(ctx, 'max_batch', 100, 1),
    // The older names still work: AUTH_ATTEMPTS is LOGIN_FAILURES, AUTH_WINDOW_S is LOGIN_WINDOW_S.
    login: loginThrottleLimitsFrom(ctx.options, 'MAILFRONT_MAILBOXORG_', {
      auth_attempts: 'login_failures',
      auth_window_s: 'login_window_s',
    }),
    sessionCallsPerMin: whole(ctx, 'session_calls_per_min', 1200),
    dnsServers: list(ctx, 'dns_servers'),
    spfInclude: ctx.options.spf_include?.trim() || 'mailbox.org',
    vacationDays: whole(ctx, 'vacation_days', 7, 1),
  }
}
