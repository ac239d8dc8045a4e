import {
  type MethodDef as CoreMethodDef,
  type LoginThrottle,
  type LoginThrottleLimits,
  methodDefiner,
  type PluginContext,
} from '@mailfront/core'
import type { AppErrorName, Lang } from './errors.ts'
import type { Sessions } from './sessions.ts'
import type { Level, SessionRow } from './store.ts'

export interface MailboxorgOptions {
  sessionTtlMs: number
  maxBatch: number
  /** The core login throttle's limits for `auth`. */
  login: LoginThrottleLimits
  /** Calls allowed per session and minute (per instance). */
  sessionCallsPerMin: number
  /** DNS servers for domain.validate.spf (`ip` or `ip:port`); empty: the system's. */
  dnsServers: string[]
  /** The include an SPF record must reach to authorise mailbox.org's servers. */
  spfInclude: string
  /** Days before a mailbox's vacation notice answers the same sender again (within one vacation). */
  vacationDays: number
}

/** What a method handler sees of the call. */
export interface Call {
  ctx: PluginContext
  opts: MailboxorgOptions
  sessions: Sessions
  session: SessionRow | null
  /** The Auth-ID sent in `HPLS-AUTH`, when there is one. */
  token: string | undefined
  lang: Lang
  ip: string
  /** The core's login throttle, for `auth`. */
  loginThrottle: LoginThrottle
}

/** `anonymous`: no session needed; `session`: any level; a list: those levels (admin always may). */
export type Access = 'anonymous' | 'session' | readonly Level[]

/** mailbox.org's fields of a method: who may call it, and the application errors it can answer (docs). */
export interface MailboxorgMethodFields {
  access: Access
  errors: AppErrorName[]
}

export type MethodDef = CoreMethodDef<Call, MailboxorgMethodFields>

/** Declare a method once: params, result, errors and level, all read by the dispatcher and the docs. */
export const defineMethod = methodDefiner<Call, MailboxorgMethodFields>()
