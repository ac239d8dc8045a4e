import { randomBytes, randomUUID } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { type Clock, systemClock } from './clock.ts'
import { buildPluginApp, mountedPaths, validatePlugins } from './compose.ts'
import {
  type Logger,
  type MailfrontPlugin,
  type PluginContext,
  type PluginEvents,
  type RequestInfo,
  silentLogger,
} from './plugin.ts'
import { memoryRateLimitStore } from './ratelimit/memory.ts'
import type { RateLimitStore } from './ratelimit/types.ts'
import { preparePlugin } from './setup.ts'
import type { StorageAdapter } from './storage/types.ts'

export interface MountPluginOptions {
  /** Where the plugin keeps its data; its models are migrated into it (additive). */
  storage: StorageAdapter
  /** The plugin's options by camelCase key (`MAILFRONT_TMAIL_ADMIN_LOGIN` is `adminLogin`), typed or as strings. */
  options?: Record<string, unknown>
  /** Serve under this prefix instead of the plugin's native paths. */
  prefix?: string
  /** Default: in-process counters (one instance). */
  rateLimits?: RateLimitStore
  clock?: Clock
  log?: Logger
  /** JWT and credential-cache key. Default: random, so tokens do not survive a restart. */
  secret?: string
  events?: PluginEvents
  /** Reject plain-HTTP requests in the plugin's own format. Default false: the host app owns TLS. */
  requireHttps?: boolean
  /** Request body limit in bytes. Default 1 MiB. */
  bodyLimit?: number
}

const noEvents: PluginEvents = { authFailure() {}, rateLimited() {}, slowHash() {} }

/** A plugin context with defaults for everything but the store. */
export function pluginContext(o: MountPluginOptions): PluginContext {
  const clock = o.clock ?? systemClock
  return {
    storage: o.storage,
    rateLimits: o.rateLimits ?? memoryRateLimitStore({ clock }),
    clock,
    log: o.log ?? silentLogger,
    secret: o.secret ?? randomBytes(32).toString('base64url'),
    options: o.options ?? {},
    state: undefined,
    events: o.events ?? noEvents,
    requireHttps: o.requireHttps ?? false,
    bodyLimit: o.bodyLimit ?? 1024 * 1024,
  }
}

/** What a plugin reads about the request, when the host app has not said it (any Hono app). */
function requestInfoOf(c: Context, basePath: string): RequestInfo {
  const env = c.env as { mailfront?: RequestInfo; incoming?: { socket?: { remoteAddress?: string } } }
  if (env?.mailfront) return { ...env.mailfront, basePath }
  return {
    requestId: c.req.header('x-request-id') ?? randomUUID(),
    secure: new URL(c.req.url).protocol === 'https:',
    ip: env?.incoming?.socket?.remoteAddress ?? '',
    basePath,
  }
}

/**
 * Mount one plugin into any Hono app in one call: migrate its models, run its init, add its routes
 * (with its own error format and 404) at its native paths or under `prefix`. Returns its context,
 * for its CLI commands, fixtures or `plugin.start(ctx)` background work.
 */
export async function mountPlugin(app: Hono<any, any, any>, plugin: MailfrontPlugin, o: MountPluginOptions) {
  validatePlugins([plugin])
  const ctx = preparePlugin(plugin, pluginContext(o))
  await o.storage.migrate(plugin.models ?? {})
  await plugin.init?.(ctx)
  const prefix = (o.prefix ?? '').replace(/\/+$/, '')
  const pluginApp = buildPluginApp(plugin, ctx)
  // Only the plugin's own paths reach its app (its middleware never sees the host's routes).
  for (const path of mountedPaths(plugin, { prefix })) {
    app.all(path, (c) => {
      let req = c.req.raw
      if (prefix) {
        const url = new URL(req.url)
        url.pathname = url.pathname.slice(prefix.length) || '/'
        req = new Request(url, req)
      }
      return pluginApp.fetch(req, { ...(c.env ?? {}), mailfront: requestInfoOf(c, prefix) })
    })
  }
  return ctx
}
