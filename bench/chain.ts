// npm run bench:chain: what mailfront's chain shape costs in Hono, with none of mailfront's work:
// bare Hono (one sync handler, @hono/node-server's synchronous path) against the same answer behind
// four root middleware, a sub-app with its own error handler and an async handler (baselines.ts
// hono-chain). Paired, interleaved, server CPU µs per request, the median of each.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { cpuUs, type Proc, sleep, startProc, TASKSET } from './procs.ts'

const TSX = ['--import', 'tsx']
const base = join(import.meta.dirname, 'baselines.ts')
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

async function measure(p: Proc, path: string, seconds: number) {
  const c0 = cpuUs(p.child.pid!)!
  const r = await autocannon({ url: p.url + path, connections: 50, duration: seconds })
  if (r.non2xx + r.errors + r.timeouts) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`)
  return (cpuUs(p.child.pid!)! - c0) / r.requests.total
}

async function main() {
  if (TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  const procs = [await startProc([...TSX, base, 'hono']), await startProc([...TSX, base, 'hono-chain'])]
  const paths = ['/', '/x/1']
  try {
    for (const [i, p] of procs.entries()) await measure(p, paths[i]!, 5)
    const us: number[][] = [[], []]
    for (let k = 0; k < 9; k++)
      for (const i of [0, 1]) {
        await sleep(300)
        us[i]!.push(await measure(procs[i]!, paths[i]!, 2))
      }
    for (const [i, name] of ['bare Hono', 'Hono, mailfront chain shape'].entries())
      console.log(
        `${name}: median ${median(us[i]!).toFixed(1)} µs/request (runs ${us[i]!.map((x) => x.toFixed(0)).join(', ')})`,
      )
  } finally {
    await Promise.all(procs.map((p) => p.stop()))
  }
}
await main()
