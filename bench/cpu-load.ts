// One loaded run of a server: autocannon at 50 connections on an endpoint, the server's CPU µs per
// completed request from /proc (utime + stime), the req/s, and the 1-minute load average as the run
// ends (our own server and load generator count about 2 in it). A non-2xx answer fails the run.
import { loadavg } from 'node:os'
import autocannon from 'autocannon'
import type { Http } from './endpoints.ts'
import { cpuUs, type Proc } from './procs.ts'

export interface CpuRun {
  us: number
  rps: number
  load: number
}

export async function cpuRun(p: Proc, e: Http, seconds: number): Promise<CpuRun> {
  const pid = p.child.pid!
  const c0 = cpuUs(pid)!
  const r = await autocannon({
    url: p.url + e.path,
    connections: 50,
    duration: seconds,
    method: e.method ?? 'GET',
    headers: e.headers ?? {},
    ...(e.body ? { body: e.body } : {}),
  })
  const c1 = cpuUs(pid)!
  const bad = r.non2xx + r.errors + r.timeouts
  if (bad) throw new Error(`${e.name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
  return { us: (c1 - c0) / r.requests.total, rps: r.requests.average, load: loadavg()[0]! }
}
