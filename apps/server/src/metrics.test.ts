import { describe, expect, it } from 'vitest'
import { createMetrics } from './metrics.ts'

describe('request metrics', () => {
  it('prints what was counted per route and the latency histogram per plugin, at scrape time', async () => {
    const m = createMetrics()
    m.record('tmail', '/users/:login', 'GET', 200, 0.0004)
    m.record('tmail', '/users/:login', 'GET', 200, 0.003)
    m.record('tmail', '/users/:login', 'GET', 404, 3)
    const text = await m.registry.metrics()
    expect(text).toContain(
      'mailfront_http_requests_total{plugin="tmail",route="/users/:login",method="GET",status="200"} 2',
    )
    expect(text).toContain(
      'mailfront_http_requests_total{plugin="tmail",route="/users/:login",method="GET",status="404"} 1',
    )
    expect(text).toContain('# TYPE mailfront_http_request_duration_seconds histogram')
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket{le="0.0005",plugin="tmail"} 1')
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket{le="0.001",plugin="tmail"} 1')
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket{le="0.005",plugin="tmail"} 2')
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket{le="2.5",plugin="tmail"} 2')
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket{le="+Inf",plugin="tmail"} 3')
    expect(text).toContain('mailfront_http_request_duration_seconds_sum{plugin="tmail"} 3.0034')
    expect(text).toContain('mailfront_http_request_duration_seconds_count{plugin="tmail"} 3')
    // Counted again after a scrape: the counter keeps its total.
    m.record('tmail', '/users/:login', 'GET', 200, 0.001)
    expect(await m.registry.metrics()).toContain(
      'mailfront_http_requests_total{plugin="tmail",route="/users/:login",method="GET",status="200"} 3',
    )
  })
})
