import type { PluginContext } from '@mailfront/core'
import { adminSource } from './auth.ts'
import type { TmailOptions } from './options.ts'

/** The admin credential source, shared by the routes' auth and the CLI's view of it. */
export function tmailSetup(ctx: PluginContext<TmailOptions>) {
  return { admin: adminSource(ctx, ctx.options) }
}
export type TmailState = ReturnType<typeof tmailSetup>
export type TmailContext = PluginContext<TmailOptions, TmailState>
