import { randomBytes, randomUUID } from 'node:crypto'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { type Clock, systemClock } from './clock.ts'
import { buildPluginApp, renderPluginError, validatePlugins } from './compose.ts'
import { withErrors } from './http/route-handler.ts'
import type { OptionsSchema } from './options.ts'
import {
  type Logger,
  type MailfrontPlugin,
  type OptionsOf,
  type PluginContext,
  type PluginDef,
  type PluginEnv,
  type PluginEvents,
  type RequestInfo,
  silentLogger,
} from './plugin.ts'
import { memoryRateLimitStore } from './ratelimit/memory.ts'
import type { RateLimitStore } from './ratelimit/types.ts'
import { type HostApp, hostBase, namespacePatterns, type PluginMount, useOnPaths } from './scope.ts'
import { preparePlugin } from './setup.ts'
import type { StorageAdapter } from './storage/types.ts'

export interface MountPluginOptions<O extends object = Record<string, unknown>> {
  /** Where the plugin keeps its data; its models are migrated into it (additive). */
  storage: StorageAdapter
  /**
   * The plugin's options, typed, by camelCase key (`MAILFRONT_TMAIL_ADMIN_LOGIN` is `adminLogin`);
   * a missing one takes its default. From strings (the environment's): `parsePluginOptions`.
   */
  options?: Partial<O>
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
  /**
   * The client's address, which the login throttle counts failures by. Default: Node's socket
   * address (`@hono/node-server`). Behind a proxy, or on another runtime, say where it is: with no
   * address every client shares one, and one client's failures would refuse the others.
   */
  clientAddress?: (c: Context) => string | undefined
}

/** An incoming `X-Request-Id` when it is a sane token (it goes into logs and headers), else a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header && /^[A-Za-z0-9._-]{1,128}$/.test(header) ? header : randomUUID()
}

const noEvents: PluginEvents = { authFailure() {}, rateLimited() {}, slowHash() {} }

/** A plugin context with defaults for everything but the store. */
export function pluginContext(o: MountPluginOptions<object>): PluginContext {
  const clock = o.clock ?? systemClock
  return {
    storage: o.storage,
    rateLimits: o.rateLimits ?? memoryRateLimitStore({ clock }),
    clock,
    log: o.log ?? silentLogger,
    secret: o.secret ?? randomBytes(32).toString('base64url'),
    options: (o.options ?? {}) as Record<string, unknown>,
    state: undefined,
    events: o.events ?? noEvents,
    requireHttps: o.requireHttps ?? false,
    bodyLimit: o.bodyLimit ?? 1024 * 1024,
  }
}

/** What a plugin reads about the request, when the host app has not said it (any Hono app). */
function requestInfoOf(c: Context, address?: (c: Context) => string | undefined): RequestInfo {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return {
    requestId: requestIdFrom(c.req.header('x-request-id')),
    secure: new URL(c.req.url).protocol === 'https:',
    ip: (address ? address(c) : env?.incoming?.socket?.remoteAddress) ?? '',
  }
}

/** Request data and `X-Request-Id` for a plugin in a host app that does not set them itself. */
const requestInfo =
  (address?: MountPluginOptions['clientAddress']): MiddlewareHandler<PluginEnv> =>
  async (c, next) => {
    let info = c.get('mailfront')
    if (!info) {
      info = requestInfoOf(c, address)
      c.set('mailfront', info)
    }
    c.header('X-Request-Id', info.requestId)
    await next()
  }

export interface RouteOptions {
  /** Serve under this prefix instead of the plugin's native paths. */
  prefix?: string
  /** Serve only requests whose Host is this name (the host app's router needs `hostRouting`). */
  hostname?: string
  /** The host's middleware for this plugin's paths, run before the plugin's own scope. */
  before?: MiddlewareHandler[]
  /** The plugin's app, when the host built it first (to check collisions before mounting). */
  app?: OpenAPIHono<PluginEnv>
}

/**
 * Add one plugin to a host app's router (the server's, `mountPlugin`'s and the tests' alike): on its
 * own paths the `mount` variable and the host's `before` middleware, then its routes, each behind
 * the plugin's error renderer (as `route()` would put them). Returns the plugin's app (its
 * routes, its OpenAPI registry).
 */
export function routePluginApp(
  root: HostApp,
  plugin: MailfrontPlugin,
  ctx: PluginContext,
  o: RouteOptions = {},
): OpenAPIHono<PluginEnv> {
  const prefix = (o.prefix ?? '').replace(/\/+$/, '')
  const base = hostBase(o.hostname) + prefix
  const mount: PluginMount = { plugin: plugin.id, prefix, base }
  const app = o.app ?? buildPluginApp(plugin, ctx)
  const scope: MiddlewareHandler<PluginEnv> = (c, next) => {
    c.set('mount', mount)
    return next()
  }
  useOnPaths(root, namespacePatterns(plugin.http.paths, base), scope, ...(o.before ?? []))
  // The plugin's handlers, each behind its error renderer, routed as they are (see withErrors).
  const onError = (err: Error, c: Context) => renderPluginError(plugin, ctx, err, c as Context<PluginEnv>)
  const routed = new Hono<PluginEnv>()
  for (const r of app.routes) routed.on(r.method, r.path, withErrors(r.handler, onError))
  root.route(base || '/', routed)
  return app
}

/**
 * Mount one plugin into any Hono app in one call: migrate its models, run its init, add its routes
 * (with its own error format and 404) at its native paths or under `prefix`. Returns its context,
 * for its CLI commands, fixtures or `plugin.start(ctx)` background work.
 */
export async function mountPlugin<Sch extends OptionsSchema | undefined, S>(
  app: HostApp,
  plugin: PluginDef<Sch, S>,
  o: MountPluginOptions<OptionsOf<Sch>>,
): Promise<PluginContext<OptionsOf<Sch>, S>> {
  // The server's view of the plugin: its hooks take the context built here from its own schema.
  const p = plugin as unknown as MailfrontPlugin
  validatePlugins([p])
  const ctx: PluginContext = preparePlugin(p, pluginContext(o))
  await o.storage.migrate(p.data?.models ?? {})
  await p.init?.(ctx)
  routePluginApp(app, p, ctx, {
    prefix: o.prefix,
    before: [requestInfo(o.clientAddress)],
  })
  return ctx as PluginContext<OptionsOf<Sch>, S>
}
