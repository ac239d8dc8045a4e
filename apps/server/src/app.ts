import type {
  Clock,
  Logger,
  MailfrontPlugin,
  MailService,
  PluginContext,
  RateLimitStore,
  StorageAdapter,
} from '@mailfront/core'
import {
  assertNoCollisions,
  buildPluginApp,
  hostBase,
  hostRouting,
  preparePlugin,
  routePluginApp,
  SmtpLogins,
  validatePlugins,
} from '@mailfront/core/host'

import { Hono } from 'hono'
import { type AdminMode, hostGuard } from './admin/access.ts'
import type { AdminRoutes } from './admin/app.ts'
import type { FaultSet } from './admin/faults.ts'
import { ownRoutes } from './app-routes.ts'
import { faultMiddleware, requestMiddleware, routeLabel, type ServerEnv } from './app-routing.ts'
import { compileTrust, type TrustProxy } from './client-address.ts'
import { publicHostnames } from './client-hosts.ts'
import type { MountedPlugin } from './docs.ts'
import type { Metrics } from './metrics.ts'
import { type RequestLog, requestLogMiddleware } from './request-log.ts'

import { VERSION } from './version.ts'

export { VERSION }

/** mailfront's own paths; no plugin may claim them. */
export const RESERVED_PATHS = [
  '/',
  '/ui/*',
  '/openapi.json',
  '/openapi/*',
  '/openrpc.json',
  '/openrpc/*',
  '/docs',
  '/docs/*',
  '/healthz',
  '/readyz',
  '/metrics',
  '/_mailfront',
  '/_mailfront/*',
]

export interface AppDeps {
  plugins: MailfrontPlugin[]
  storage: StorageAdapter
  rateLimits: RateLimitStore
  clock: Clock
  log: Logger
  metrics: Metrics
  secret: string
  requireHttps: boolean
  trustProxy: TrustProxy
  bodyLimit: number
  /** Each plugin's options, typed (parsed once from the environment by `readPluginSettings`). */
  pluginOptions: Record<string, Record<string, unknown>>
  prefixes: Record<string, string>
  hostnames: Record<string, string>
  /** Bearer token for /_mailfront/*, required from every client once set. */
  adminToken?: string
  /** MAILFRONT_ADMIN: `auto` (default), `off` or `open` (see adminAccess). */
  adminMode?: AdminMode
  /**
   * With no admin token, a request with no socket (an in-process `app.request`) counts as a loopback
   * peer. Only for tests that call the app in this process: under another runtime (`app.fetch` in Bun,
   * Deno, a worker) no request has a socket, and each would be admin. Default false.
   */
  adminInProcessIsLocal?: boolean
  /**
   * With no admin token, the host names the admin API answers to besides loopback ones and the plugins'
   * hostnames (the listen address, the certificate's names, MAILFRONT_ADMIN_HOSTS): a DNS-rebinding guard.
   */
  adminHosts?: string[]
  /** The mail pipeline every plugin context gets. */
  mail?: MailService
  /** Route groups of the admin API (captured mail, reset…), mounted under /_mailfront. */
  adminRoutes?: AdminRoutes[]
  /** The request log behind GET /_mailfront/requests. */
  requestLog?: RequestLog
  /** Faults injected on demand (POST /_mailfront/faults). */
  faults?: FaultSet
}

export interface Mailfront {
  app: Hono
  mounted: MountedPlugin[]
  contexts: Map<string, PluginContext>
  /** Set while shutting down: /readyz answers 503. */
  draining: { value: boolean }
  /** The SMTP port's one login namespace: every plugin's SmtpAuth, in mount order. */
  smtpLogins: SmtpLogins
}

/**
 * Compose the selected plugins over one store into one Hono app, built once: mailfront's own routes,
 * then each plugin's routes under its namespace (its scope and its 404 on its own paths only). A
 * Host-routed mount is routed by the router's `getPath` (host, then path). Every check runs before
 * anything is mounted.
 */
export function createMailfront(d: AppDeps): Mailfront {
  validatePlugins(d.plugins)
  const contexts = new Map<string, PluginContext>()
  const smtpLogins = new SmtpLogins()
  const entries = d.plugins.map((plugin) => {
    const ctx: PluginContext = preparePlugin(plugin, {
      storage: d.storage,
      rateLimits: d.rateLimits,
      clock: d.clock,
      log: d.log.child ? d.log.child({ plugin: plugin.id }) : d.log,
      secret: d.secret,
      options: d.pluginOptions[plugin.id] ?? {},
      events: {
        authFailure: (id) => d.metrics.authFailures.inc({ plugin: id }),
        rateLimited: (id) => d.metrics.rateLimited.inc({ plugin: id }),
        slowHash: (id) => d.metrics.slowHashes.inc({ plugin: id }),
      },
      requireHttps: d.requireHttps,
      bodyLimit: d.bodyLimit,
      ...(d.mail ? { mail: d.mail } : {}),
      smtpLogins,
      state: undefined,
    })
    contexts.set(plugin.id, ctx)
    for (const l of plugin.rateLimits ?? [])
      d.metrics.declareRateLimit(plugin.id, l.name, l.window(ctx.options))
    const smtpAuth = plugin.mail?.smtpAuth
    if (smtpAuth) smtpLogins.add(plugin.id, smtpAuth(ctx))
    const app = buildPluginApp(plugin, ctx)
    return { plugin, ctx, app, mount: { prefix: d.prefixes[plugin.id], hostname: d.hostnames[plugin.id] } }
  })
  assertNoCollisions(entries, RESERVED_PATHS)
  const mounted: MountedPlugin[] = entries.map((e) => ({
    plugin: e.plugin,
    app: e.app,
    prefix: e.mount.prefix ?? '',
    hostname: e.mount.hostname,
  }))
  const draining = { value: false }
  const publicHosts = publicHostnames(d.plugins, d.hostnames)
  const hostnames = [
    ...new Set([...mounted.flatMap((m) => (m.hostname ? [m.hostname] : [])), ...publicHosts.keys()]),
  ]

  const access = (d.log as Logger & { access?: Logger }).access ?? d.log
  const root = new Hono<ServerEnv>({ getPath: hostRouting(hostnames) })
  root.notFound((c) => c.text('Not Found', 404))
  root.use('*', requestMiddleware({ trust: compileTrust(d.trustProxy), metrics: d.metrics, access }))
  if (d.requestLog) root.use('*', requestLogMiddleware(d.requestLog, routeLabel))

  const own = ownRoutes({
    version: VERSION,
    storage: d.storage,
    metrics: d.metrics,
    mounted,
    contexts,
    draining,
    adminToken: d.adminToken,
    adminMode: d.adminMode,
    adminInProcessIsLocal: d.adminInProcessIsLocal,
    adminHostGuard: hostGuard([...hostnames, ...(d.adminHosts ?? [])], d.log),
    adminRoutes: d.adminRoutes,
  })
  // mailfront's own routes answer on every host, Host-routed ones included.
  root.route('/', own)
  for (const h of hostnames) root.route(hostBase(h), own)

  for (const e of entries) {
    const before = d.faults ? [faultMiddleware(d.faults, e.plugin, e.ctx)] : []
    routePluginApp(root, e.plugin, e.ctx, { ...e.mount, app: e.app, before })
    // The provider's own hostnames reach it at its native paths, wherever else it is mounted.
    for (const h of e.plugin.http.hostnames ?? [])
      if (h !== e.mount.hostname) routePluginApp(root, e.plugin, e.ctx, { hostname: h, app: e.app, before })
  }
  return { app: root as unknown as Hono, mounted, contexts, draining, smtpLogins }
}
