import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

export interface Metrics {
  registry: Registry
  requests: Counter<'plugin' | 'route' | 'method' | 'status'>
  latency: Histogram<'plugin'>
  authFailures: Counter<'plugin'>
  rateLimited: Counter<'plugin'>
  slowHashes: Counter<'plugin'>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mailfront_process_' })
  return {
    registry,
    requests: new Counter({
      name: 'mailfront_http_requests_total',
      help: 'HTTP requests by plugin, route, method and status',
      labelNames: ['plugin', 'route', 'method', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'mailfront_http_request_duration_seconds',
      help: 'Request latency',
      labelNames: ['plugin'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
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
    slowHashes: new Counter({
      name: 'mailfront_slow_hashes_total',
      help: 'Slow password hashes computed to check a credential (credential-cache misses)',
      labelNames: ['plugin'],
      registers: [registry],
    }),
  }
}
