import type { RateLimitWindow } from '@mailfront/core'
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client'
import { RequestDurations } from './metrics-latency.ts'

type Cell = { pending: number; child?: { inc(n: number): void } }

export interface Metrics {
  registry: Registry
  requests: Counter<'plugin' | 'route' | 'method' | 'status'>
  authFailures: Counter<'plugin'>
  rateLimited: Counter<'plugin'>
  slowHashes: Counter<'plugin'>
  /** Mail pipeline events (submitted, delivered, deferred, bounced, discarded) by plugin. */
  mail: Counter<'plugin' | 'event'>
  /** Each mounted plugin's declared rate limits (`rateLimits`) as its options set them. */
  rateLimits: Gauge<'plugin' | 'limit' | 'window_s'>
  /** Show one declared limit (null: its option turns it off). */
  declareRateLimit(plugin: string, limit: string, window: RateLimitWindow | null): void
  /** Count one request and its latency (label sets are bound once, then reused). */
  record(plugin: string, route: string, method: string, status: number, seconds: number): void
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mailfront_process_' })
  // Per request: plain numbers in nested maps (no key string, no label hashing); prom-client gets
  // the counts at scrape time (its `collect`), bound children made once per label set.
  const cells = new Map<string, Map<string, Map<string, Map<number, Cell>>>>()
  let cellCount = 0
  const requests = new Counter({
    name: 'mailfront_http_requests_total',
    help: 'HTTP requests by plugin, route, method and status',
    labelNames: ['plugin', 'route', 'method', 'status'] as const,
    registers: [registry],
    collect() {
      for (const [plugin, routes] of cells)
        for (const [route, methods] of routes)
          for (const [method, statuses] of methods)
            for (const [status, cell] of statuses) {
              if (!cell.pending) continue
              cell.child ??= this.labels(plugin, route, method, String(status))
              cell.child.inc(cell.pending)
              cell.pending = 0
            }
    },
  })
  const latency = new RequestDurations()
  registry.registerMetric(latency as unknown as Metric)
  const rateLimits = new Gauge({
    name: 'mailfront_rate_limit_max',
    help: "The plugins' declared rate limits: calls one window allows (0: off), by plugin, limit name and window",
    labelNames: ['plugin', 'limit', 'window_s'] as const,
    registers: [registry],
  })
  return {
    registry,
    requests,
    rateLimits,
    declareRateLimit(plugin, limit, window) {
      rateLimits.set(
        { plugin, limit, window_s: window ? String(window.windowMs / 1000) : '0' },
        window?.max ?? 0,
      )
    },
    record(plugin, route, method, status, seconds) {
      latency.observe(plugin, seconds)
      let routes = cells.get(plugin)
      if (!routes) {
        routes = new Map()
        cells.set(plugin, routes)
      }
      let methods = routes.get(route)
      if (!methods) {
        methods = new Map()
        routes.set(route, methods)
      }
      let statuses = methods.get(method)
      if (!statuses) {
        statuses = new Map()
        methods.set(method, statuses)
      }
      const cell = statuses.get(status)
      if (cell) cell.pending++
      // Routes are patterns, so the label sets stay few; past the bound, counted straight in.
      else if (cellCount < 10_000) {
        statuses.set(status, { pending: 1 })
        cellCount++
      } else requests.labels(plugin, route, method, String(status)).inc()
    },
    authFailures: new Counter({
      name: 'mailfront_auth_failures_total',
      help: 'Failed authentications',
      labelNames: ['plugin'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'mailfront_rate_limited_total',
      help: 'Rate-limit rejections',
      labelNames: ['plugin'],
      registers: [registry],
    }),
    mail: new Counter({
      name: 'mailfront_mail_total',
      help: 'Mail pipeline events by plugin: submitted, delivered, deferred, bounced, discarded',
      labelNames: ['plugin', 'event'],
      registers: [registry],
    }),
    slowHashes: new Counter({
      name: 'mailfront_slow_hashes_total',
      help: 'Slow password hashes computed to check a credential (credential-cache misses)',
      labelNames: ['plugin'],
      registers: [registry],
    }),
  }
}
