import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

export interface Metrics {
  registry: Registry
  requests: Counter<'plugin' | 'route' | 'method' | 'status'>
  latency: Histogram<'plugin'>
  authFailures: Counter<'plugin'>
  rateLimited: Counter<'plugin'>
  slowHashes: Counter<'plugin'>
  /** Mail pipeline events (submitted, delivered, deferred, bounced, discarded) by plugin. */
  mail: Counter<'plugin' | 'event'>
  /** Count one request and its latency (label sets are bound once, then reused). */
  record(plugin: string, route: string, method: string, status: number, seconds: number): void
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mailfront_process_' })
  const requests = new Counter({
    name: 'mailfront_http_requests_total',
    help: 'HTTP requests by plugin, route, method and status',
    labelNames: ['plugin', 'route', 'method', 'status'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'mailfront_http_request_duration_seconds',
    help: 'Request latency',
    labelNames: ['plugin'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  // Binding labels hashes them; routes are patterns, so the set of bound children stays small.
  const counters = new Map<string, { inc(): void }>()
  const histograms = new Map<string, { observe(v: number): void }>()
  return {
    registry,
    requests,
    latency,
    record(plugin, route, method, status, seconds) {
      const key = `${plugin}\u0000${route}\u0000${method}\u0000${status}`
      let c = counters.get(key)
      if (!c) {
        c = requests.labels(plugin, route, method, String(status))
        if (counters.size < 10_000) counters.set(key, c)
      }
      c.inc()
      let h = histograms.get(plugin)
      if (!h) {
        h = latency.labels(plugin)
        histograms.set(plugin, h)
      }
      h.observe(seconds)
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
