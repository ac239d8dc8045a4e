/** The buckets (seconds) of `mailfront_http_request_duration_seconds`. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

type PerPlugin = { buckets: number[]; sum: number; count: number }
type Value = { labels: Record<string, string | number>; value: number; metricName: string }

/**
 * The request-latency histogram by plugin, counted into plain numbers per request (prom-client's
 * `observe` hashes the labels each time) and handed to the registry as prom-client's histogram
 * exposition at scrape time: `_bucket` (cumulative, `le`), `_sum`, `_count`.
 */
export class RequestDurations {
  readonly name = 'mailfront_http_request_duration_seconds'
  readonly help = 'Request latency'
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly byPlugin = new Map<string, PerPlugin>()

  observe(plugin: string, seconds: number): void {
    let p = this.byPlugin.get(plugin)
    if (!p) {
      p = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }
      this.byPlugin.set(plugin, p)
    }
    let i = 0
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++
    if (i < LATENCY_BUCKETS.length) p.buckets[i]!++
    p.sum += seconds
    p.count++
  }

  /** What prom-client's registry prints (and `getMetricsAsJSON` returns). */
  get() {
    const values: Value[] = []
    for (const [plugin, p] of this.byPlugin) {
      let acc = 0
      LATENCY_BUCKETS.forEach((le, i) => {
        acc += p.buckets[i]!
        values.push({ labels: { le, plugin }, value: acc, metricName: `${this.name}_bucket` })
      })
      values.push(
        { labels: { le: '+Inf', plugin }, value: p.count, metricName: `${this.name}_bucket` },
        { labels: { plugin }, value: p.sum, metricName: `${this.name}_sum` },
        { labels: { plugin }, value: p.count, metricName: `${this.name}_count` },
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.byPlugin.clear()
  }
}
