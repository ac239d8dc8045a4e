import type { Context, Hono, MiddlewareHandler, Schema } from 'hono'
import { getPath } from 'hono/utils/url'
import type { PluginEnv } from './plugin.ts'

/** Where one plugin is mounted in a host app, as its scope middleware records it (`c.get('mount')`). */
export interface PluginMount {
  plugin: string
  /** Path prefix ('' at the native paths). */
  prefix: string
  /** The router's path before the plugin's own paths: the host marker (Host-routed mounts), then the prefix. */
  base: string
}

/**
 * Host-routed mounts live under a virtual first segment of the router's path, `/.host/<name>`: a
 * request whose Host names a mount is routed as `/.host/<name><path>` (see `hostRouting`).
 */
const HOST_MARK = '/.host/'

export const hostBase = (hostname: string | undefined): string => (hostname ? HOST_MARK + hostname : '')

/**
 * Hono's `getPath` for Host-routed mounts: one map lookup per request, then the router does the rest.
 * A request to a listed host (with or without its port) routes as `/.host/<name><path>`; any other
 * keeps its path (a path that itself starts with the marker is made unroutable).
 */
export function hostRouting(hostnames: string[]): ((req: Request) => string) | undefined {
  if (!hostnames.length) return undefined
  const names = new Set(hostnames)
  return (req) => {
    const path = getPath(req)
    const url = req.url
    const start = url.indexOf('://') + 3
    const end = url.indexOf('/', start)
    const host = url.slice(start, end < 0 ? undefined : end).toLowerCase()
    // `/` becomes the bare marker: a route registered at `/` under route('/.host/h') is `/.host/h`.
    const rest = path === '/' ? '' : path
    if (names.has(host)) return HOST_MARK + host + rest
    const bare = host.replace(/:\d+$/, '')
    if (bare !== host && names.has(bare)) return HOST_MARK + bare + rest
    return path.startsWith(HOST_MARK) ? `/${path}` : path
  }
}

/** The request's path as the client sent it (without the host marker of a Host-routed mount). */
export const requestPath = (c: Context): string => routeTemplate(c.req.path)

/** A route template as the router knows it, without the host marker. */
export function routeTemplate(path: string): string {
  if (!path.startsWith(HOST_MARK)) return path
  const i = path.indexOf('/', HOST_MARK.length)
  return i < 0 ? '/' : path.slice(i)
}

/** The request's path inside the plugin's namespace (its mount prefix removed). */
export function pluginPath(c: Context<PluginEnv>): string {
  const base = c.get('mount')?.base ?? ''
  return c.req.path.slice(base.length) || '/'
}

/**
 * The patterns that cover a plugin's namespace, each path matched by one only (`/v1` is left out when
 * `/v1/*` is there, which matches it too), so scope middleware runs once per request.
 */
export function namespacePatterns(paths: string[], base = ''): string[] {
  return paths.filter((p) => !paths.includes(`${p}/*`)).map((p) => base + p)
}

/**
 * A Hono app a plugin is routed into, whatever the host's env and schema: what the core calls on it.
 * `Hono` and `OpenAPIHono` apps of any type parameters are one.
 */
export interface HostApp {
  use(path: string, ...handlers: MiddlewareHandler[]): unknown
  route(path: string, app: Hono<PluginEnv, Schema, string>): unknown
}

/** Run middleware on a plugin's own paths only, never on the host's other routes. */
export function useOnPaths(app: HostApp, patterns: string[], ...mw: MiddlewareHandler[]): void {
  if (!mw.length) return
  for (const p of patterns) app.use(p, ...mw)
}
