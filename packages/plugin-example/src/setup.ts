import type { PluginContext } from '@mailfront/core'
import { adminAuth } from './auth.ts'
import type { ExampleOptions } from './options.ts'

/** Built once from the parsed options, before the routes: what the hooks share. */
export function exampleSetup(ctx: PluginContext<ExampleOptions>) {
  return { authorize: adminAuth(ctx) }
}
export type ExampleState = ReturnType<typeof exampleSetup>
export type ExampleContext = PluginContext<ExampleOptions, ExampleState>
