import { type LoginThrottleLimits, loginThrottleLimitsFrom, type PluginContext } from '@mailfront/core'

export interface TmailOptions {
  /** Admin credential from the environment; when unset, the stored one (fixtures, CLI) is used. */
  adminLogin?: string
  adminPassword?: string
  defaultQuota: string
  homeBase: string
  queueIntervalS: number
  /** The core login throttle's limits (failed admin logins). */
  login: LoginThrottleLimits
}

export const QUOTA = /^\d+[KMGkmg]?$/

function whole(ctx: PluginContext, name: string, dflt: string): number {
  const v = ctx.options[name] ?? dflt
  if (!/^\d+$/.test(v))
    throw new Error(`MAILFRONT_TMAIL_${name.toUpperCase()} must be a whole number, got "${v}"`)
  return Number(v)
}

/** Read and check `MAILFRONT_TMAIL_*`; a bad value stops the start with a message naming it. */
export function optionsFrom(ctx: PluginContext): TmailOptions {
  const o = ctx.options
  if ((o.admin_login === undefined) !== (o.admin_password === undefined))
    throw new Error('MAILFRONT_TMAIL_ADMIN_LOGIN and MAILFRONT_TMAIL_ADMIN_PASSWORD must be set together')
  if (o.admin_login !== undefined && (!o.admin_login || o.admin_login.includes(':')))
    throw new Error('MAILFRONT_TMAIL_ADMIN_LOGIN must be non-empty and contain no ":"')
  if (o.admin_password !== undefined && !o.admin_password)
    throw new Error('MAILFRONT_TMAIL_ADMIN_PASSWORD must not be empty')
  if (o.auth_attempts_per_min !== undefined)
    throw new Error(
      'MAILFRONT_TMAIL_AUTH_ATTEMPTS_PER_MIN is gone (it counted successful checks too): set MAILFRONT_TMAIL_LOGIN_FAILURES (failed logins per login and address) and MAILFRONT_TMAIL_LOGIN_WINDOW_S instead',
    )
  const defaultQuota = o.default_quota ?? '200M'
  if (!QUOTA.test(defaultQuota))
    throw new Error(
      `MAILFRONT_TMAIL_DEFAULT_QUOTA must be bytes or a number with K, M or G, got "${defaultQuota}"`,
    )
  const homeBase = (o.home_base ?? '/home/tmail/mailboxes').replace(/\/+$/, '')
  if (!homeBase.startsWith('/')) throw new Error('MAILFRONT_TMAIL_HOME_BASE must be an absolute path')
  return {
    adminLogin: o.admin_login,
    adminPassword: o.admin_password,
    defaultQuota,
    homeBase,
    queueIntervalS: whole(ctx, 'queue_interval_s', '5'),
    login: loginThrottleLimitsFrom(o, 'MAILFRONT_TMAIL_'),
  }
}
