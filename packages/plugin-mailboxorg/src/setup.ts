import type { PluginContext } from '@mailfront/core'
import { createDispatcher } from './dispatch.ts'
import type { MethodDef } from './method.ts'
import type { MailboxorgOptions } from './options.ts'
import { sessionStore } from './sessions.ts'

/** Sessions and the JSON-RPC dispatcher, built once from the options. */
export function mailboxorgSetup(ctx: PluginContext<MailboxorgOptions>, methods: MethodDef[]) {
  const sessions = sessionStore(ctx, ctx.options.sessionTtlS * 1000)
  return { sessions, dispatch: createDispatcher(ctx, sessions, methods) }
}
export type MailboxorgState = ReturnType<typeof mailboxorgSetup>
export type MailboxorgContext = PluginContext<MailboxorgOptions, MailboxorgState>
