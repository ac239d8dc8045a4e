import type { OpenAPIHono } from '@hono/zod-openapi'
import { Hono } from 'hono'
import { createManualClock, type ManualClock } from '../clock.ts'
import { routePluginApp } from '../mount.ts'
import { parsePluginOptions } from '../options.ts'
import type { MailfrontPlugin, PluginContext, PluginEnv, RequestInfo } from '../plugin.ts'
import { silentLogger } from '../plugin.ts'
import { memoryRateLimitStore } from '../ratelimit/memory.ts'
import { rateLimitModels } from '../ratelimit/storage.ts'
import { preparePlugin } from '../setup.ts'
import { memoryAdapter } from '../storage/memory.ts'

/** A plugin context for tests; `O` and `S` are the plugin's options and state once prepared. */
export interface TestContext<O = Record<string, unknown>, S = unknown> extends PluginContext<O, S> {
  clock: ManualClock
  counters: { authFailures: number; rateLimited: number; slowHashes: number }
}

/**
 * A plugin's typed options from strings, as the server reads them from `MAILFRONT_<ID>_<KEY>`
 * (keys camelCase or snake_case: `loginFailures` or `login_failures`). Throws `OptionsError` as the
 * server's start would.
 */
export function envOptions(plugin: MailfrontPlugin, values: Record<string, string | undefined> = {}) {
  const camel: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(values))
    camel[k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())] = v
  return parsePluginOptions(plugin, camel)
}

/** A plugin context over the memory adapter and a manual clock. */
export function createTestContext(overrides: Partial<PluginContext> = {}): TestContext {
  const clock =
    (overrides.clock as ManualClock | undefined) ?? createManualClock(Date.UTC(2026, 5, 10, 17, 40, 30))
  const counters = { authFailures: 0, rateLimited: 0, slowHashes: 0 }
  return {
    storage: memoryAdapter(),
    rateLimits: memoryRateLimitStore({ clock }),
    log: silentLogger,
    secret: 'test-secret-0123456789abcdef0123456789abcdef',
    options: {},
    state: undefined,
    events: {
      authFailure: () => void counters.authFailures++,
      rateLimited: () => void counters.rateLimited++,
      slowHash: () => void counters.slowHashes++,
    },
    requireHttps: false,
    bodyLimit: 1024 * 1024,
    ...overrides,
    clock,
    counters,
  }
}

/**
 * Migrate, init and route one plugin into a fresh Hono app, as the server does (`routePluginApp`):
 * `app` answers its requests, `pluginApp` is the plugin's own app (its routes, its OpenAPI registry).
 */
export async function mountPluginForTest(
  plugin: MailfrontPlugin,
  ctx: PluginContext = createTestContext(),
  o: { prefix?: string } = {},
): Promise<{ app: Hono<PluginEnv>; pluginApp: OpenAPIHono<PluginEnv>; ctx: PluginContext }> {
  ctx = preparePlugin(plugin, ctx)
  await ctx.storage.migrate({ ...rateLimitModels, ...(plugin.data?.models ?? {}) })
  await plugin.init?.(ctx)
  const app = new Hono<PluginEnv>()
  // A test passes request data as the third argument of app.request(): `{ mailfront: { ip, … } }`.
  app.use('*', (c, next) => {
    const info = (c.env as { mailfront?: RequestInfo } | undefined)?.mailfront
    if (info) c.set('mailfront', info)
    return next()
  })
  const pluginApp = routePluginApp(app, plugin, ctx, o)
  return { app, pluginApp, ctx }
}
