// npm run bench:profile -- <target>: where one hot endpoint's server time goes, from `--cpu-prof`.
// Starts the server as the bench does, under --cpu-prof, loads the endpoint (50 connections), and
// prints per request the server's CPU time by package and the functions with the most self time,
// counting only the samples taken while the load ran (not start-up or warm-up).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { hotEndpoints, MAILFRONT_ENV, TARGET_NAMES } from './endpoints.ts'
import { startProc } from './procs.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'apps/server/bin/mailfront.js')

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '5' }, top: { type: 'string', default: '25' } },
})
const target = positionals[0]
if (!target || !(TARGET_NAMES as readonly string[]).includes(target)) {
  console.error(`usage: npm run bench:profile -- <${TARGET_NAMES.join('|')}> [--seconds N] [--top N]`)
  process.exit(2)
}

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: Node[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** What a script belongs to, for the per-package lines. */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / builtins)'
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  const w = /\/(packages|apps)\/([^/]+)\//.exec(url)
  if (w) return `mailfront ${w[2]}`
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`
  return url
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mailfront-profile-'))
  const profDir = join(dir, 'prof')
  try {
    const mf = await startProc(['--cpu-prof', `--cpu-prof-dir=${profDir}`, BIN, 'serve'], {
      ...MAILFRONT_ENV,
      MAILFRONT_DATA_DIR: dir,
    })
    const e = (await hotEndpoints(mf.url)).find((x) => x.target === target)!
    const opts = {
      url: mf.url + e.path,
      connections: 50,
      method: e.method ?? 'GET',
      headers: e.headers ?? {},
      ...(e.body ? { body: e.body } : {}),
    }
    await autocannon({ ...opts, duration: 2 })
    // Monotonic clock in µs, the clock the profile's timestamps use.
    const t0 = Number(process.hrtime.bigint() / 1000n)
    const r = await autocannon({ ...opts, duration: Number(o.seconds) })
    const t1 = Number(process.hrtime.bigint() / 1000n)
    await mf.stop()
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
    if (!file) throw new Error('the server wrote no profile')
    const p = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile
    const byId = new Map(p.nodes.map((n) => [n.id, n]))
    const self = new Map<Node, number>()
    let t = p.startTime
    let total = 0
    p.samples.forEach((id, i) => {
      t += p.timeDeltas[i]!
      const dt = p.timeDeltas[i + 1] ?? 0
      if (t < t0 || t > t1) return
      const n = byId.get(id)!
      self.set(n, (self.get(n) ?? 0) + dt)
      total += dt
    })
    const requests = r.requests.total
    const us = (x: number) => (x / requests).toFixed(2).padStart(7)
    const group = new Map<string, number>()
    const fns = new Map<string, number>()
    for (const [n, v] of self) {
      const f = n.callFrame
      const g = owner(f.url, f.functionName)
      group.set(g, (group.get(g) ?? 0) + v)
      const where = f.url
        ? `${f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${f.lineNumber + 1}`
        : ''
      const key = `${f.functionName || '(anonymous)'} ${where}`
      fns.set(key, (fns.get(key) ?? 0) + v)
    }
    const busy = total - (group.get('(idle)') ?? 0)
    console.log(`${e.name}: ${Math.round(r.requests.average)} req/s, ${requests} requests in ${o.seconds} s`)
    console.log(`server CPU per request: ${us(busy)} µs (idle excluded)\n\nµs/request  by package`)
    for (const [g, v] of [...group].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${us(v)}  ${g}`)
    console.log('\nµs/request  functions by self time')
    for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(o.top)))
      console.log(`${us(v)}  ${k}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
