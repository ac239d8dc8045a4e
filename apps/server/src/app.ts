import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import {
  assertNoCollisions,
  buildPluginApp,
  type Clock,
  type Logger,
  type MailfrontPlugin,
  type MailService,
  mountedPaths,
  type PluginContext,
  pathMatches,
  preparePlugin,
  type RateLimitStore,
  type RequestInfo,
  type StorageAdapter,
  stringifyJson,
  validatePlugins,
} from '@mailfront/core'
import { Hono } from 'hono'
import { type AdminRoutes, createAdminApp } from './admin/app.ts'
import type { FaultSet } from './admin/faults.ts'
import { clientAddress, compileTrust, type TrustProxy } from './client-address.ts'
import {
  DOCS_ASSETS,
  docsAssetPath,
  docsHtml,
  docsInitJs,
  type MountedPlugin,
  mergedOpenApi,
  pluginOpenApi,
} from './docs.ts'
import { openrpcAsOpenApi } from './docs-rpc.ts'
import type { Metrics } from './metrics.ts'
import { type RequestLog, requestLogMiddleware } from './request-log.ts'
import { uiRoutes } from './ui.ts'

export const VERSION = '0.1.0'

/** mailfront's own paths; no plugin may claim them. */
export const RESERVED_PATHS = [
  '/',
  '/ui/*',
  '/openapi.json',
  '/openapi/*',
  '/openrpc.json',
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
  pluginOptions: Record<string, Record<string, string>>
  prefixes: Record<string, string>
  hostnames: Record<string, string>
  /** Bearer token for /_mailfront/* from non-loopback clients. */
  adminToken?: string
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
}

type NodeEnv = { incoming?: IncomingMessage; outgoing?: ServerResponse; mailfront?: RequestInfo }

function requestInfo(
  c: { req: { header(n: string): string | undefined }; env: NodeEnv },
  trust: ReturnType<typeof compileTrust>,
): RequestInfo {
  const sock = c.env?.incoming?.socket as TLSSocket | undefined
  const { ip, secure } = clientAddress(sock, (n) => c.req.header(n), trust)
  const incoming = c.req.header('x-request-id')
  const requestId = incoming && /^[A-Za-z0-9._-]{1,128}$/.test(incoming) ? incoming : randomUUID()
  return { requestId, secure, ip }
}

/**
 * Where `X-Request-Id` goes: on a Node server straight onto Node's response before the handler
 * (writeHead merges it in), so handlers' plain-object headers keep @hono/node-server's fast path;
 * Hono's `c.header()` before the handler builds a web `Headers` for every request, and touching
 * `c.res.headers` after it a full `Response`. Without Node (`app.request()`) the caller sets it on
 * Hono's response once the handler has answered (null here).
 */
function nodeResponse(c: { env: { outgoing?: ServerResponse } | undefined }): ServerResponse | null {
  return c.env?.outgoing ?? null
}

/** Compose the selected plugins over one store. Every check runs before anything is mounted. */
export function createMailfront(d: AppDeps): Mailfront {
  validatePlugins(d.plugins)
  const contexts = new Map<string, PluginContext>()
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
      state: undefined,
    })
    contexts.set(plugin.id, ctx)
    const app = buildPluginApp(plugin, ctx)
    return { plugin, app, mount: { prefix: d.prefixes[plugin.id], hostname: d.hostnames[plugin.id] } }
  })
  assertNoCollisions(entries, RESERVED_PATHS)
  const mounted: MountedPlugin[] = entries.map((e) => ({
    plugin: e.plugin,
    app: e.app,
    prefix: e.mount.prefix ?? '',
    hostname: e.mount.hostname,
  }))
  const routes = mounted.map((m) => ({ m, paths: mountedPaths(m.plugin, { prefix: m.prefix }) }))
  const draining = { value: false }
  const anyHostname = mounted.some((m) => m.hostname)

  const trust = compileTrust(d.trustProxy)
  const access = (d.log as Logger & { access?: Logger }).access ?? d.log
  const root = new Hono<{ Bindings: NodeEnv }>()
  root.use('*', async (c, next) => {
    const info = requestInfo(c, trust)
    c.env = { ...(c.env ?? {}), mailfront: info }
    const started = performance.now()
    const out = nodeResponse(c)
    out?.setHeader('X-Request-Id', info.requestId)
    await next()
    if (!out) c.header('X-Request-Id', info.requestId)
    const plugin = (c.get as (k: string) => string | undefined)('plugin') ?? 'mailfront'
    const route = (c.get as (k: string) => string | undefined)('route') ?? c.req.routePath
    const ms = performance.now() - started
    d.metrics.record(plugin, route, c.req.method, c.res.status, ms / 1000)
    access.info(
      {
        reqId: info.requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 100) / 100,
        plugin,
        ip: info.ip,
      },
      'request',
    )
  })

  if (d.requestLog) root.use('*', requestLogMiddleware(d.requestLog))

  root.get('/healthz', (c) => c.json({ status: 'ok' }))
  root.get('/readyz', async (c) => {
    if (draining.value) return c.json({ status: 'draining' }, 503)
    try {
      await d.storage.ping()
      return c.json({ status: 'ready', storage: d.storage.id })
    } catch {
      return c.json({ status: 'unavailable', storage: d.storage.id }, 503)
    }
  })
  root.get('/metrics', async (c) =>
    c.body(await d.metrics.registry.metrics(), 200, { 'Content-Type': d.metrics.registry.contentType }),
  )
  const rest = mounted.filter((m) => m.plugin.docs.kind === 'openapi' || m.plugin.openrpc)
  let mergedCache: string | undefined
  root.get('/openapi.json', (c) => {
    mergedCache ??= stringifyJson(mergedOpenApi(rest, VERSION))
    return c.body(mergedCache, 200, { 'Content-Type': 'application/json; charset=UTF-8' })
  })
  root.get('/openapi/:file{[a-z0-9]+(?:-methods)?\\.json}', (c) => {
    const [, id, methods] = /^([a-z0-9]+)(-methods)?\.json$/.exec(c.req.param('file'))!
    const m = mounted.find((x) => x.plugin.id === id)
    if (!m) return c.json({ error: `no mounted plugin "${id}"` }, 404)
    if (!methods) return c.json(pluginOpenApi(m))
    if (!m.plugin.openrpc) return c.json({ error: `plugin "${id}" has no JSON-RPC methods` }, 404)
    return c.json(openrpcAsOpenApi(m, m.plugin.openrpc(contexts.get(m.plugin.id)!) as Record<string, any>))
  })
  root.get('/openrpc.json', (c) => {
    const rpc = mounted.find((m) => m.plugin.openrpc)
    if (!rpc) return c.json({ error: 'no JSON-RPC plugin is mounted' }, 404)
    return c.json(rpc.plugin.openrpc!(contexts.get(rpc.plugin.id)!))
  })
  uiRoutes(root)
  root.get('/docs', (c) => c.html(docsHtml()))
  const initJs = docsInitJs(
    mounted.filter((m) => m.plugin.openrpc).map((m) => ({ id: m.plugin.id, title: m.plugin.docs.title })),
  )
  root.get('/docs/init.js', (c) => c.body(initJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
  const assetCache = new Map<string, Buffer>()
  root.get('/docs/assets/:name', async (c) => {
    const name = c.req.param('name')
    const type = DOCS_ASSETS[name]
    if (!type) return c.text('Not Found', 404)
    let buf = assetCache.get(name)
    if (!buf) {
      buf = await readFile(docsAssetPath(name))
      assetCache.set(name, buf)
    }
    return c.body(new Uint8Array(buf), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' })
  })

  root.route(
    '/_mailfront',
    createAdminApp({
      token: d.adminToken,
      clientAddress: (c) => (c.env as NodeEnv | undefined)?.mailfront?.ip ?? '',
      groups: d.adminRoutes ?? [],
    }),
  )

  // Dispatch to the plugin that owns the host or the path; each plugin app is its own scope.
  root.all('*', async (c) => {
    let byHost: MountedPlugin[] = []
    if (anyHostname) {
      const host = new URL(c.req.url).host.toLowerCase()
      const bare = host.replace(/:\d+$/, '')
      byHost = mounted.filter((m) => m.hostname && (m.hostname === host || m.hostname === bare))
    }
    const candidates = byHost.length
      ? routes.filter((r) => byHost.includes(r.m))
      : routes.filter((r) => !r.m.hostname)
    const path = c.req.path
    const hit = candidates.find((r) => r.paths.some((p) => pathMatches(p, path)))
    if (!hit) return c.text('Not Found', 404)
    ;(c.set as (k: string, v: string) => void)('plugin', hit.m.plugin.id)
    const fault = d.faults?.size
      ? d.faults.pick(hit.m.plugin.id, { routes: hit.m.app.routes, prefix: hit.m.prefix }, c.req.method, path)
      : undefined
    const faulted = fault && (await d.faults!.apply(fault, hit.m.plugin, c))
    if (faulted) return faulted
    let req = c.req.raw
    if (hit.m.prefix) {
      const url = new URL(req.url)
      url.pathname = url.pathname.slice(hit.m.prefix.length) || '/'
      req = new Request(url, req)
    }
    let env = c.env as NodeEnv & { mailfront: RequestInfo & { route?: string } }
    env.mailfront.basePath = hit.m.prefix
    // A rewritten request carries the body itself: the plugin must not read the socket directly.
    if (req !== c.req.raw) env = { ...env, incoming: undefined } as typeof env
    const res = await hit.m.app.fetch(req, env)
    if (env.mailfront.route)
      (c.set as (k: string, v: string) => void)('route', hit.m.prefix + env.mailfront.route)
    return res
  })
  return { app: root as unknown as Hono, mounted, contexts, draining }
}
