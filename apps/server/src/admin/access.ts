import { hostname as machineHostname } from 'node:os'
import { type Logger, safeEqual } from '@mailfront/core'
import type { Context, MiddlewareHandler } from 'hono'
import { isLoopback } from '../config-env.ts'
import { type AdminHosts, adminHosts, hostAllowed, parseHost } from './hosts.ts'

/**
 * `MAILFRONT_ADMIN`: `auto` (the rule below), `off` (no admin API at all), `open` (anyone who reaches
 * the port is admin: a throwaway test container).
 */
export type AdminMode = 'auto' | 'off' | 'open'

/**
 * Headers a proxy adds when it forwards a request. Their presence means the socket's peer is not the
 * client, so a loopback peer proves nothing; none of them is ever believed for the admin decision.
 */
const FORWARDING =
  /^(?:x-forwarded-.*|forwarded|x-real-ip|via|x-client-ip|client-ip|true-client-ip|cf-connecting-ip|fastly-client-ip|x-cluster-client-ip|x-original-forwarded-for)$/

export function hasForwardingHeader(headers: Headers): boolean {
  let found = false
  headers.forEach((_v, name) => {
    if (FORWARDING.test(name)) found = true
  })
  return found
}

/** The TCP peer of the request, or undefined with no socket (`app.request`, or a runtime other than Node). */
function socketPeer(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  if (!incoming) return undefined
  return (incoming.socket?.remoteAddress ?? '').replace(/^::ffff:/, '')
}

/**
 * The admin prefix's access rule. It never rests on a header a client can write (X-Forwarded-For
 * included, whatever MAILFRONT_TRUST_PROXY says):
 * - a token is set: `Authorization: Bearer <token>` from every client, loopback included (401 without);
 * - no token: only a loopback socket peer with no forwarding header at all; anyone else gets 404, as
 *   if the prefix did not exist. A request with no socket (`app.fetch` under Bun, Deno or a worker
 *   looks just like `app.request`) is a stranger, unless `inProcessIsLocal` says this app only ever
 *   answers calls made in this process (tests);
 *   A loopback peer gets 403 when its `Host` names neither loopback, an IP literal, nor one of the
 *   operator's names (`hostGuard`; loopback names only without one): a DNS-rebinding page (see
 *   hosts.ts). Without a Host header (HTTP/2 sends `:authority`) the request URL's host is checked;
 * - `open`: everyone, under the same Host rule, which also takes this machine's name (`os.hostname()`:
 *   other containers reach one by it): the image's default for a laptop's `docker run -p`, where a
 *   rebinding page reaches the port as any local program does. (`off` never mounts the prefix.)
 */
export function adminAccess(opts: {
  mode: AdminMode
  token?: string
  inProcessIsLocal?: boolean
  hostGuard?: HostGuard
}): MiddlewareHandler {
  const guard = opts.hostGuard ?? hostGuard([])
  const machine = machineHostname().toLowerCase()
  /** The Host the request was sent to: the URL's (from `:authority`, or `localhost` in process) without one. */
  const hostOf = (c: Context) => c.req.header('host') ?? new URL(c.req.url).host
  return async (c, next) => {
    if (opts.mode === 'open') {
      const host = hostOf(c)
      if (hostAllowed(host, guard.hosts) || parseHost(host)?.name === machine) return next()
      guard.refused(host)
      return c.json(
        {
          error: `admin API in open mode (no token) answers only to an IP address, a loopback name, this machine's name or a configured one (Host: ${host.slice(0, 200)} refused, DNS rebinding guard): open it by IP address (${here(c, host)}) or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
        },
        403,
      )
    }
    if (opts.token) {
      const m = /^Bearer[ ]+(\S+)$/i.exec(c.req.header('authorization') ?? '')
      if (!m || !safeEqual(m[1]!, opts.token)) {
        c.header('WWW-Authenticate', 'Bearer realm="mailfront admin"')
        return c.json({ error: 'admin token required' }, 401)
      }
      return next()
    }
    const peer = socketPeer(c)
    const local = peer === undefined ? opts.inProcessIsLocal === true : isLoopback(peer)
    if (!local || hasForwardingHeader(c.req.raw.headers)) return c.json({ error: 'not found' }, 404)
    const host = hostOf(c)
    if (!hostAllowed(host, guard.hosts)) {
      guard.refused(host)
      return c.json(
        {
          error: `admin API without a token answers only to a loopback host name (Host: ${host.slice(0, 200)} refused, DNS rebinding guard): open it as ${here(c, host)} or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
        },
        403,
      )
    }
    return next()
  }
}

/** The loopback address a refused request can use instead, with its port. */
function here(c: Context, host: string): string {
  const port = parseHost(host)?.port
  return `${new URL(c.req.url).protocol}//127.0.0.1${port ? `:${port}` : ''}/`
}

/** The most refused host names logged: a page trying many names writes a bounded number of lines. */
const REFUSED_LOGGED = 32

/** The names the token-less admin API answers to besides loopback, and its one warning per refused name. */
export interface HostGuard {
  hosts: AdminHosts
  refused(host: string): void
}

/**
 * A guard for these names (see adminHosts), shared by every admin route: it logs each refused host name
 * once (its name only, no port), the first REFUSED_LOGGED of them, and then says it stops.
 */
export function hostGuard(names: Iterable<string>, log?: Logger): HostGuard {
  const seen = new Set<string>()
  return {
    hosts: adminHosts(names),
    refused(host) {
      if (!log || seen.size > REFUSED_LOGGED) return
      const name = (parseHost(host)?.name ?? host.trim().toLowerCase()).slice(0, 253)
      if (seen.has(name)) return
      seen.add(name)
      if (seen.size > REFUSED_LOGGED) {
        log.warn(`admin API: more than ${REFUSED_LOGGED} host names refused, no more are logged`)
        return
      }
      log.warn(
        { host: name },
        'admin API refused a request for a host name that is not loopback (DNS rebinding guard): add it to MAILFRONT_ADMIN_HOSTS if it is yours, or set MAILFRONT_ADMIN_TOKEN',
      )
    },
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Why a state-changing request comes from another site's page, if it does. A browser says so itself:
 * `Sec-Fetch-Site` (cross-site or same-site; same-origin and none are the UI and the address bar),
 * and `Origin` on every cross-origin write, compared with the host the request was sent to. curl,
 * the SDKs and the testcontainers helper send neither and pass.
 */
export function crossSiteProblem(method: string, url: string, headers: Headers): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined
  const site = headers.get('sec-fetch-site')
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site is ${site}`
  const origin = headers.get('origin')
  if (origin === null) return undefined
  let host: string | undefined
  try {
    host = new URL(origin).host
  } catch {
    host = undefined
  }
  if (!host || host.toLowerCase() !== new URL(url).host.toLowerCase())
    return `Origin ${origin} is not this server`
  return undefined
}

/**
 * The admin API changes state only at the request of its own pages or of a client that is no browser:
 * a page elsewhere (which the developer happens to visit) gets 403, whatever the admin rule lets in.
 */
export function sameOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    const problem = crossSiteProblem(c.req.method, c.req.url, c.req.raw.headers)
    if (problem)
      return c.json(
        {
          error: `cross-site request refused (${problem}): the admin API takes changes only from its own UI or a non-browser client`,
        },
        403,
      )
    return next()
  }
}
