import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { Logger, MailfrontPlugin, PluginContext, PluginEnv, RequestInfo } from '@mailfront/core'
import { requestIdFrom, requestPath, routeTemplate } from '@mailfront/core/host'
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { FaultSet } from './admin/faults.ts'
import { clientAddress, type compileTrust } from './client-address.ts'
import { addPlainHeader } from './light-response.ts'
import type { Metrics } from './metrics.ts'

/** The server's Hono env: Node's request and response, and the plugins' typed request data. */
export type ServerEnv = {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse }
  Variables: PluginEnv['Variables'] & { label?: RouteLabel }
}

type RouteLabel = { plugin: string; route: string }

function requestInfo(c: Context<ServerEnv>, trust: ReturnType<typeof compileTrust>): RequestInfo {
  const sock = c.env?.incoming?.socket as TLSSocket | undefined
  const { ip, secure } = clientAddress(sock, (n) => c.req.header(n), trust)
  return { requestId: requestIdFrom(c.req.header('x-request-id')), secure, ip }
}

/**
 * The metrics and log label of a request, from the route that matched: a plugin's route template
 * under its prefix (`<prefix>*` when none of its routes matched), or mailfront's own route.
 */
export function routeLabel(c: Context<ServerEnv>): RouteLabel {
  // Once per request: the request log, the metrics and the access line all ask after the handler.
  let label = c.get('label')
  if (label) return label
  const mount = c.get('mount')
  if (!mount) label = { plugin: 'mailfront', route: routeTemplate(c.req.routePath) }
  else {
    const path = matchedRoutes(c)
      .filter((r) => r.method !== 'ALL')
      .at(-1)?.path
    label = { plugin: mount.plugin, route: path === undefined ? `${mount.prefix}*` : routeTemplate(path) }
  }
  c.set('label', label)
  return label
}

/**
 * The root middleware, once per request: request data, `X-Request-Id`, metrics and the access log.
 * On a Node server `X-Request-Id` goes into the answer's plain header object once the handler has
 * answered, so Node's `writeHead(status, headers)` stays on its fast path (a header set on Node's
 * response first sends it onto the slow one, ≈ 11 µs); an answer with a web `Headers` gets it on
 * Node's response. Hono's `c.header()` before the handler would build a web `Headers` for every
 * request. Without Node (`app.request()`) it is set on Hono's response.
 */
export function requestMiddleware(d: {
  trust: ReturnType<typeof compileTrust>
  metrics: Metrics
  access: Logger
}): MiddlewareHandler<ServerEnv> {
  // Not async: the only wait is the handler's (one promise less per request).
  return (c, next) => {
    const info = requestInfo(c, d.trust)
    c.set('mailfront', info)
    const started = performance.now()
    return next().then(() => {
      const out = c.env?.outgoing
      // Named as each answered before: a plugin's answer carried it in its own (lower-case) headers.
      const name = c.get('mount') ? 'x-request-id' : 'X-Request-Id'
      if (!out) c.header('X-Request-Id', info.requestId)
      else if (!addPlainHeader(c.res, name, info.requestId)) out.setHeader(name, info.requestId)
      const { plugin, route } = routeLabel(c)
      const ms = performance.now() - started
      d.metrics.record(plugin, route, c.req.method, c.res.status, ms / 1000)
      d.access.info(
        {
          reqId: info.requestId,
          method: c.req.method,
          path: requestPath(c),
          status: c.res.status,
          ms: Math.round(ms * 100) / 100,
          plugin,
          ip: info.ip,
        },
        'request',
      )
    })
  }
}

/**
 * Faults injected on a plugin's requests, on its own paths, before its scope (HTTPS rule, body limit):
 * an empty set costs a length check.
 */
export function faultMiddleware(
  faults: FaultSet,
  plugin: MailfrontPlugin,
  ctx: PluginContext,
): MiddlewareHandler<ServerEnv> {
  const apply = async (c: Context<ServerEnv>, next: () => Promise<void>) => {
    const route = routeLabel(c).route
    const path = requestPath(c)
    const fault = faults.pick(plugin.id, route, c.req.method, path)
    const faulted = fault && (await faults.apply(fault, plugin, ctx, c, { route, path }))
    if (faulted) return faulted
    return next()
  }
  // Not async: with no fault set, one promise less per request.
  return (c, next) => (faults.size ? apply(c, next) : next())
}
