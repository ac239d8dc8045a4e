// npm run bench:ab -- <target> --a <checkout> --b <checkout>: server CPU µs per request of two builds,
// A B A B (paired, interleaved), the median of each; the way each layer of issue #31 was measured.
// A checkout is a built mailfront tree (its apps/server/bin/mailfront.js); both servers stay up, pinned
// to core 0, idle while the other is loaded; the load generator runs on core 1.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { hotEndpoints, MAILFRONT_ENV, TARGET_NAMES } from './endpoints.ts'
import { cpuUs, type Proc, sleep, startProc, TASKSET } from './procs.ts'

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    pairs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    env: { type: 'string', multiple: true, default: [] },
  },
})
const target = positionals[0]
if (!target || !(TARGET_NAMES as readonly string[]).includes(target) || !o.a || !o.b) {
  console.error(
    `usage: npm run bench:ab -- <${TARGET_NAMES.join('|')}> --a <dir> --b <dir> [--pairs N] [--seconds S] [--warmup S] [--env B_ONLY=1]`,
  )
  process.exit(2)
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

async function measure(p: Proc, e: Awaited<ReturnType<typeof hotEndpoints>>[number], seconds: number) {
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
  return { us: (c1 - c0) / r.requests.total, rps: r.requests.average }
}

async function main() {
  if (TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  const dirs = [mkdtempSync(join(tmpdir(), 'mf-ab-a-')), mkdtempSync(join(tmpdir(), 'mf-ab-b-'))]
  const extra = Object.fromEntries(o.env.map((kv) => kv.split('=') as [string, string]))
  const procs: Proc[] = []
  try {
    for (const [i, root] of [o.a!, o.b!].entries())
      procs.push(
        await startProc([join(resolve(root), 'apps/server/bin/mailfront.js'), 'serve'], {
          ...MAILFRONT_ENV,
          ...(i === 1 ? extra : {}),
          MAILFRONT_DATA_DIR: dirs[i]!,
        }),
      )
    const eps = await Promise.all(
      procs.map(async (p) => (await hotEndpoints(p.url)).find((x) => x.target === target)!),
    )
    // Warm-up (JIT, caches); longer on a busy machine, where 3 s leaves the first pair slow.
    for (const [i, p] of procs.entries()) await measure(p, eps[i]!, Number(o.warmup))
    const res: { us: number; rps: number }[][] = [[], []]
    for (let k = 0; k < Number(o.pairs); k++)
      for (const i of [0, 1]) {
        await sleep(300)
        res[i]!.push(await measure(procs[i]!, eps[i]!, Number(o.seconds)))
      }
    for (const [i, name] of ['A', 'B'].entries()) {
      const us = res[i]!.map((x) => x.us)
      console.log(
        `${name} ${target}: median ${median(us).toFixed(1)} µs/request (runs ${us.map((x) => x.toFixed(0)).join(', ')}), median ${Math.round(median(res[i]!.map((x) => x.rps)))} req/s`,
      )
    }
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined)
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
