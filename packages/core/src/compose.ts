import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, Next } from 'hono'
import { ApiError, issuesOf, toApiError } from './errors.ts'
import { markCoreHandler, sealRoutes } from './http/route.ts'
import type { MailfrontPlugin, PluginContext, PluginEnv } from './plugin.ts'
import { refusalCounted } from './ratelimit/counted.ts'
import { namespacePatterns, useOnPaths } from './scope.ts'
import { assertModelNames } from './storage/schema.ts'
import type { ModelSchema } from './storage/types.ts'

export interface MountOptions {
  /** Mount under this prefix instead of the native paths. */
  prefix?: string
  /** Serve only requests whose Host is this name. */
  hostname?: string
}

export class CompositionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CompositionError'
  }
}

/** Static checks, before any app is built: unique ids, namespaced models. */
export function validatePlugins(plugins: MailfrontPlugin[]): ModelSchema {
  const seen = new Set<string>()
  const models: ModelSchema = {}
  for (const p of plugins) {
    if (!/^[a-z][a-z0-9]*$/.test(p.id))
      throw new CompositionError(`plugin id "${p.id}" must be lower-case letters and digits`)
    if (seen.has(p.id)) throw new CompositionError(`duplicate plugin id "${p.id}"`)
    seen.add(p.id)
    try {
      assertModelNames(p.id, p.data?.models ?? {})
    } catch (e) {
      throw new CompositionError((e as Error).message)
    }
    Object.assign(models, p.data?.models)
  }
  return models
}

export function requestIdOf(c: Context<PluginEnv>): string | undefined {
  return c.get('mailfront')?.requestId
}

/** Render an error through the plugin, adding its headers; unexpected errors are logged, never sent. */
export function renderPluginError(
  plugin: MailfrontPlugin,
  ctx: PluginContext,
  err: unknown,
  c: Context<PluginEnv>,
) {
  const e = toApiError(err)
  // An outage is expected to happen and to pass: one warning line, no stack.
  if (e.code === 'SERVICE_UNAVAILABLE')
    ctx.log.warn(
      { plugin: plugin.id, reqId: requestIdOf(c), reason: (e.cause as Error | undefined)?.message },
      'store unavailable: answered 503',
    )
  else if (e.status >= 500)
    ctx.log.error({ err: e.cause ?? e, plugin: plugin.id, reqId: requestIdOf(c) }, 'request failed')
  // Counted here, once: unless the refusal was counted where it was decided (ratelimit/counted.ts).
  if (e.code === 'RATE_LIMITED' && !refusalCounted(err) && !refusalCounted(e))
    ctx.events.rateLimited(plugin.id)
  const res = plugin.http.renderError(e, c, ctx)
  if (e.headers) for (const [k, v] of Object.entries(e.headers)) res.headers.set(k, v)
  return res
}

/**
 * Build one plugin's own app: its scope (error renderer, 404, body limit, HTTPS rule), then its routes.
 * The app is complete when returned; mounting never adds to it.
 */
export function buildPluginApp(plugin: MailfrontPlugin, ctx: PluginContext): OpenAPIHono<PluginEnv> {
  const app = new OpenAPIHono<PluginEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError('VALIDATION_FAILED', 400, 'Validation failed', { details: issuesOf(result.error) })
      }
    },
  })
  app.onError((err, c) => renderPluginError(plugin, ctx, err, c))
  // Unless the plugin says otherwise, a 404 is its table's NOT_FOUND in its own format.
  const notFoundMessage = plugin.http.errors.NOT_FOUND?.message ?? 'Not found'
  const notFound = markCoreHandler((c: Context<PluginEnv>) =>
    plugin.http.notFound
      ? plugin.http.notFound(c)
      : renderPluginError(plugin, ctx, new ApiError('NOT_FOUND', 404, notFoundMessage), c),
  )
  app.notFound(notFound)
  // The plugin's scope runs on its own paths only: mounted with route(), a '*' would be the host's.
  const scope = namespacePatterns(plugin.http.paths)
  if (ctx.requireHttps) {
    useOnPaths(
      app,
      scope,
      markCoreHandler(async (c: Context<PluginEnv>, next: Next) => {
        const info = c.get('mailfront')
        if (info && !info.secure) throw new ApiError('HTTPS_REQUIRED', 403, 'HTTPS is required')
        await next()
      }),
    )
  }
  // A declared length is checked from the header (readBodyText enforces it while reading); only a
  // chunked body without a length is read and counted here, before the route.
  const bodyLimit = markCoreHandler((c: Context<PluginEnv>, next: Next) => {
    const m = c.req.method
    if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return next()
    const length = c.req.header('content-length')
    if (length === undefined) return limitChunked(c, next, ctx.bodyLimit)
    if (Number(length) > ctx.bodyLimit) throw new ApiError('BODY_TOO_LARGE', 413, 'Request body too large')
    return next()
  })
  useOnPaths(app, scope, bodyLimit)
  plugin.http.routes(app, ctx)
  sealRoutes(app)
  assertRoutesInside(plugin, app, scope)
  // The plugin's 404, explicit: a host router never calls a routed app's notFound.
  for (const p of scope) app.all(p, notFound)
  return app
}

const norm = (p: string) => p.replace(/:[^/]+/g, ':').replace(/\/+$/, '') || '/'

function prefixOf(pattern: string): { base: string; wild: boolean } {
  const wild = pattern.endsWith('/*')
  return { base: wild ? pattern.slice(0, -2) : pattern, wild }
}

/** Two namespace patterns overlap when one can match a path the other matches. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = prefixOf(a)
  const y = prefixOf(b)
  if (x.base === y.base) return true
  if (x.wild && (y.base + '/').startsWith(x.base + '/')) return true
  if (y.wild && (x.base + '/').startsWith(y.base + '/')) return true
  return false
}

export function mountedPaths(plugin: MailfrontPlugin, mount: MountOptions = {}): string[] {
  const prefix = (mount.prefix ?? '').replace(/\/+$/, '')
  return plugin.http.paths.map((p) => prefix + p)
}

/** Fail on two plugins claiming the same path (on the same host), before anything is mounted. */
export function assertNoCollisions(
  entries: { plugin: MailfrontPlugin; app: OpenAPIHono<PluginEnv>; mount: MountOptions }[],
  reserved: string[] = [],
): void {
  for (let i = 0; i < entries.length; i++) {
    const a = entries[i]!
    const pa = mountedPaths(a.plugin, a.mount)
    for (const r of reserved) {
      for (const p of pa)
        if (patternsOverlap(p, r))
          throw new CompositionError(`plugin "${a.plugin.id}" path ${p} collides with mailfront's ${r}`)
    }
    for (let j = i + 1; j < entries.length; j++) {
      const b = entries[j]!
      if ((a.mount.hostname ?? '') !== (b.mount.hostname ?? '')) continue
      const pb = mountedPaths(b.plugin, b.mount)
      for (const x of pa)
        for (const y of pb)
          if (patternsOverlap(x, y))
            throw new CompositionError(
              `route collision: plugin "${a.plugin.id}" (${x}) and plugin "${b.plugin.id}" (${y})`,
            )
      const ra = new Set(
        a.app.routes
          .filter((r) => r.method !== 'ALL')
          .map((r) => `${r.method} ${norm((a.mount.prefix ?? '') + r.path)}`),
      )
      for (const r of b.app.routes) {
        const k = `${r.method} ${norm((b.mount.prefix ?? '') + r.path)}`
        if (ra.has(k))
          throw new CompositionError(`route collision: ${k} in plugins "${a.plugin.id}" and "${b.plugin.id}"`)
      }
    }
  }
}

/** How much of an oversized body is still read and discarded so that the 413 reaches the client. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024

/**
 * Hono's bodyLimit, plus a drain: Hono stops reading at the limit, the unread rest stalls the
 * socket, and when the server then closes it the client (over TLS notably) gets a reset instead of
 * the 413. Here the rest is read and discarded in the background, up to 64 MiB, while the answer
 * goes out; the request timeout bounds a body that never ends.
 */
async function limitChunked(c: Context, next: Next, max: number) {
  const raw = c.req.raw
  if (!raw.body) return next()
  const reader = raw.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > max) {
      void (async () => {
        let drained = 0
        try {
          for (;;) {
            const r = await reader.read()
            if (r.done) break
            drained += r.value.length
            if (drained > MAX_DRAIN_BYTES) break
          }
        } catch {}
        await reader.cancel().catch(() => undefined)
      })()
      throw new ApiError('BODY_TOO_LARGE', 413, 'Request body too large')
    }
    chunks.push(value)
  }
  c.req.raw = new Request(raw, { body: Buffer.concat(chunks) })
  return next()
}

/**
 * Every route a plugin registers lies inside its `paths`: its scope middleware (HTTPS rule, body
 * limit) runs on those only, so a route outside them would be served without it.
 */
function assertRoutesInside(plugin: MailfrontPlugin, app: OpenAPIHono<PluginEnv>, scope: string[]): void {
  const inside = (path: string) =>
    scope.some((p) =>
      p.endsWith('/*') ? path === p.slice(0, -2) || path.startsWith(p.slice(0, -1)) : path === p,
    )
  const outside = app.routes.find((r) => !inside(r.path))
  if (outside)
    throw new CompositionError(
      `plugin "${plugin.id}" registers ${outside.path}, outside its paths (${plugin.http.paths.join(', ')})`,
    )
}
