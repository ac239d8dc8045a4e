import { type PluginContext, passwordAuth } from '@mailfront/core'
import { createDispatcher } from './dispatch.ts'
import { errors } from './errors.ts'
import type { MethodDef } from './method.ts'
import { loginLimits, type MailboxorgOptions } from './options.ts'
import { sessionStore } from './sessions.ts'

/** Sessions, the `auth` password check and the JSON-RPC dispatcher, built once from the options. */
export function mailboxorgSetup(ctx: PluginContext<MailboxorgOptions>, methods: MethodDef[]) {
  const sessions = sessionStore(ctx, ctx.options.sessionTtlS * 1000)
  // The core's login throttle (only failures count); no credential cache: a login opens a session.
  // Its errors carry no language: the dispatcher answers them in the caller's.
  const passwords = passwordAuth(ctx, {
    plugin: 'mailboxorg',
    limits: loginLimits(ctx.options),
    cache: false,
    refused: (seconds) => errors.TOO_MANY_FAILURES({ details: { seconds } }),
    denied: () => errors.ACCESS_DENIED(),
  })
  return { sessions, passwords, dispatch: createDispatcher(ctx, sessions, passwords, methods) }
}
export type MailboxorgState = ReturnType<typeof mailboxorgSetup>
export type MailboxorgContext = PluginContext<MailboxorgOptions, MailboxorgState>
