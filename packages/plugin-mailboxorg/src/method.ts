import {
  type MethodDef as CoreMethodDef,
  methodDefiner,
  type PasswordAuth,
  type PluginContext,
} from '@mailfront/core'
import type { AppErrorName, Lang } from './errors.ts'
import type { MailboxorgOptions } from './options.ts'
import type { Sessions } from './sessions.ts'
import type { Level, SessionRow } from './store.ts'

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
  /** The core's password check under its login throttle, for `auth`. */
  passwords: PasswordAuth
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
