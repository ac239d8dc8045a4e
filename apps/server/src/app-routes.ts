import { readFile } from 'node:fs/promises'
import { type PluginContext, type StorageAdapter, stringifyJson } from '@mailfront/core'
import { Hono } from 'hono'
import { type AdminMode, adminAccess, type HostGuard } from './admin/access.ts'
import { type AdminRoutes, createAdminApp } from './admin/app.ts'
import { ADMIN_OPENAPI_PATH, adminIndex, adminOpenApi, indexRoutes } from './admin/openapi.ts'
import type { ServerEnv } from './app-routing.ts'
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
import { uiRoutes } from './ui.ts'

export interface OwnRoutesDeps {
  version: string
  storage: StorageAdapter
  metrics: Metrics
  mounted: MountedPlugin[]
  contexts: Map<string, PluginContext>
  draining: { value: boolean }
  adminToken?: string
  adminMode?: AdminMode
  adminInProcessIsLocal?: boolean
  adminHostGuard?: HostGuard
  adminRoutes?: AdminRoutes[]
}

/** mailfront's own routes: health, metrics, documents, docs and state UI, and the admin API. */
export function ownRoutes(d: OwnRoutesDeps): Hono<ServerEnv> {
  const own = new Hono<ServerEnv>()
  const { mounted, contexts } = d
  own.get('/healthz', (c) => c.json({ status: 'ok' }))
  own.get('/readyz', async (c) => {
    if (d.draining.value) return c.json({ status: 'draining' }, 503)
    try {
      await d.storage.ping()
      return c.json({ status: 'ready', storage: d.storage.id })
    } catch {
      return c.json({ status: 'unavailable', storage: d.storage.id }, 503)
    }
  })
  own.get('/metrics', async (c) =>
    c.body(await d.metrics.registry.metrics(), 200, { 'Content-Type': d.metrics.registry.contentType }),
  )
  const rest = mounted.filter((m) => m.plugin.http.docs.kind === 'openapi' || m.plugin.http.openrpc)
  let mergedCache: string | undefined
  own.get('/openapi.json', (c) => {
    mergedCache ??= stringifyJson(mergedOpenApi(rest, d.version))
    return c.body(mergedCache, 200, { 'Content-Type': 'application/json; charset=UTF-8' })
  })
  // MAILFRONT_ADMIN=off: no admin API at all, /_mailfront/* is the root's plain 404.
  const access = {
    mode: d.adminMode ?? 'auto',
    token: d.adminToken,
    inProcessIsLocal: d.adminInProcessIsLocal,
    hostGuard: d.adminHostGuard,
  }
  const admin =
    d.adminMode === 'off'
      ? undefined
      : createAdminApp({ ...access, groups: [indexRoutes(d.version), ...(d.adminRoutes ?? [])] })
  // The admin API's own document (its name cannot be a plugin id: ids have no underscore).
  if (admin) own.get(ADMIN_OPENAPI_PATH, (c) => c.json(adminOpenApi(admin, d.version)))
  own.get('/openapi/:file{[a-z0-9]+(?:-methods)?\\.json}', (c) => {
    const [, id, methods] = /^([a-z0-9]+)(-methods)?\.json$/.exec(c.req.param('file'))!
    const m = mounted.find((x) => x.plugin.id === id)
    if (!m) return c.json({ error: `no mounted plugin "${id}"` }, 404)
    if (!methods) return c.json(pluginOpenApi(m))
    if (!m.plugin.http.openrpc) return c.json({ error: `plugin "${id}" has no JSON-RPC methods` }, 404)
    return c.json(
      openrpcAsOpenApi(m, m.plugin.http.openrpc(contexts.get(m.plugin.id)!) as Record<string, any>),
    )
  })
  const rpc = mounted.filter((m) => m.plugin.http.openrpc)
  // The first JSON-RPC plugin's document at the path it always had; every one's at /openrpc/<id>.json.
  own.get('/openrpc.json', (c) => {
    const m = rpc[0]
    if (!m) return c.json({ error: 'no JSON-RPC plugin is mounted' }, 404)
    return c.json(m.plugin.http.openrpc!(contexts.get(m.plugin.id)!))
  })
  own.get('/openrpc/:file{[a-z0-9]+\\.json}', (c) => {
    const id = c.req.param('file').slice(0, -'.json'.length)
    const m = rpc.find((x) => x.plugin.id === id)
    if (!m) return c.json({ error: `no mounted JSON-RPC plugin "${id}"` }, 404)
    return c.json(m.plugin.http.openrpc!(contexts.get(m.plugin.id)!))
  })
  uiRoutes(own)
  own.get('/docs', (c) => c.html(docsHtml()))
  const initJs = docsInitJs(
    rpc.map((m) => ({ id: m.plugin.id, title: m.plugin.http.docs.title })),
    d.adminMode !== 'off',
  )
  own.get('/docs/init.js', (c) => c.body(initJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
  const assetCache = new Map<string, Buffer>()
  own.get('/docs/assets/:name', async (c) => {
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
  if (admin) {
    // The banner's link ends in a slash, which the mounted app's '/' does not match: the same rule, the same index.
    own.get('/_mailfront/', adminAccess(access), (c) => c.json(adminIndex(admin, d.version)))
    own.route('/_mailfront', admin)
  }
  return own
}
