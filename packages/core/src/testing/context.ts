import type { OpenAPIHono } from '@hono/zod-openapi'
import { createManualClock, type ManualClock } from '../clock.ts'
import { buildPluginApp } from '../compose.ts'
import type { MailfrontPlugin, PluginContext, PluginEnv } from '../plugin.ts'
import { silentLogger } from '../plugin.ts'
import { memoryRateLimitStore } from '../ratelimit/memory.ts'
import { rateLimitModels } from '../ratelimit/storage.ts'
import { preparePlugin } from '../setup.ts'
import { memoryAdapter } from '../storage/memory.ts'

export interface TestContext extends PluginContext {
  clock: ManualClock
  counters: { authFailures: number; rateLimited: number; slowHashes: number }
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

/** Migrate, init and build one plugin's app, as the server would. */
export async function mountPluginForTest(
  plugin: MailfrontPlugin,
  ctx: PluginContext = createTestContext(),
): Promise<{ app: OpenAPIHono<PluginEnv>; ctx: PluginContext }> {
  ctx = preparePlugin(plugin, ctx)
  await ctx.storage.migrate({ ...rateLimitModels, ...(plugin.models ?? {}) })
  await plugin.init?.(ctx)
  return { app: buildPluginApp(plugin, ctx), ctx }
}
