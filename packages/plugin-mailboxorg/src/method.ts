import type { LoginThrottle, LoginThrottleLimits, PluginContext, z } from '@mailfront/core'
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

export interface MethodDef<P extends z.ZodObject = z.ZodObject, R extends z.ZodType = z.ZodType> {
  name: string
  summary: string
  access: Access
  params: P
  result: R
  /** Application errors the method can answer (for the docs). */
  errors: AppErrorName[]
  aliases?: string[]
  handler(params: z.infer<P>, call: Call): Promise<z.infer<R>>
}

/** Declare a method once: params, result, errors and level, all read by the dispatcher and the docs. */
export const defineMethod = <P extends z.ZodObject, R extends z.ZodType>(m: MethodDef<P, R>): MethodDef =>
  m as unknown as MethodDef
