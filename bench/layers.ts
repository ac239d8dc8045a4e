// node --import tsx bench/layers.ts prepare | check | run | report: issue #31's per-layer CPU table.
// Each own layer is "off" in a copy of the built tree (this checkout after `npm run build`) with
// exactly one function patched in the emitted JavaScript, or, for the two layers that have an option,
// in the full build with that option; `run` then loads the full build (A) and each layer off (B) in
// turn, as bench:ab does (same measurement), all of an endpoint's layers in one interleaved series.
// The copies are measurement tools, never product code: they live outside the repository (default
// /tmp/layers/<layer>), node_modules hard-linked, everything else copied.
//
//   prepare [--dir D]                       copy and patch (fails if a patch's text is not found once)
//   check [--dir D]                         every variant answers every hot endpoint it is run on, 2xx
//   run [--dir D] [--targets t,..] [--layers l,..] [--pairs 7] [--seconds 2] [--warmup 3] [--out F]
//   raw [--pairs 7] [--out runs.jsonl]      raw node:http's CPU per request alone (the 0.35 bar's base)
//   report runs.jsonl                       Markdown rows: medians, paired Δ, its p, the load; per
//                                           endpoint the full build against raw ÷ 0.35
import { execFileSync } from 'node:child_process'
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type CpuRun, cpuRun } from './cpu-load.ts'
import { type HotTarget, hotEndpoints, MAILFRONT_ENV, TARGET_NAMES } from './endpoints.ts'
import { median, pairedStats } from './paired.ts'
import { type Proc, sleep, startProc, TASKSET } from './procs.ts'

const ROOT = resolve(import.meta.dirname, '..')
const ALL = TARGET_NAMES
const PASSWORD = ['tmail_user', 'basic_user'] as const // the endpoints that check a password per request

interface Patch {
  file: string
  find: string
  replace: string
}
interface Layer {
  name: string
  /** What "off" means, for the table. */
  off: string
  targets: readonly HotTarget[]
  patches?: Patch[]
  /** Set on B only (the full build with this option). */
  env?: string[]
}

export const LAYERS: Layer[] = [
  {
    name: 'sqlite_read',
    off: 'SQLite point read memoised per statement and key (per login): a row found is read once',
    targets: ['tmail_user'],
    patches: [
      {
        file: 'packages/storage-sql/dist/index.js',
        find: 'return st.get(...params);',
        replace:
          "const m = (globalThis.__layerMemo ??= new Map()); const k = text + '\\u0000' + params.join('\\u0000'); const hit = m.get(k); if (hit) return hit; const r = st.get(...params); if (r) m.set(k, r); return r;",
      },
    ],
  },
  {
    name: 'throttle',
    off: 'login throttle skipped: `passwordAuth.attempt` calls the check directly',
    targets: PASSWORD,
    patches: [
      {
        file: 'packages/core/dist/auth/scheme.js',
        find: 'return throttle.attempt(login, address, check).then(settle);',
        replace:
          "return check().then((value) => settle(value === null ? { status: 'failed' } : { status: 'ok', value }));",
      },
    ],
  },
  {
    name: 'cred_cache_hmac',
    off: 'credential cache keyed by the plain joined parts, no HMAC',
    targets: PASSWORD,
    patches: [
      {
        file: 'packages/core/dist/auth/credential-cache.js',
        find: "return createHmac('sha256', this.hmacKey).update(parts.join('\\u0000')).digest('base64');",
        replace: "return parts.join('\\u0000');",
      },
    ],
  },
  {
    name: 'zod_path',
    off: "zod parse of the path replaced by the raw value (the route's hook still runs)",
    targets: ['tmail_user'],
    patches: [
      {
        file: 'packages/core/dist/http/route-handler.js',
        find: 'result = schema.safeParse(value);',
        replace: "result = target === 'param' ? { success: true, data: value } : schema.safeParse(value);",
      },
    ],
  },
  {
    name: 'metrics',
    off: "metrics' `record` a no-op",
    targets: ALL,
    patches: [
      {
        file: 'apps/server/dist/metrics.js',
        find: 'record(plugin, route, method, status, seconds) {',
        replace: 'record(plugin, route, method, status, seconds) { return;',
      },
    ],
  },
  {
    name: 'request_id',
    off: 'request id a constant, no `X-Request-Id` header',
    targets: ALL,
    patches: [
      {
        file: 'apps/server/dist/app-routing.js',
        find: "requestId: requestIdFrom(c.req.header('x-request-id')),",
        replace: "requestId: 'bench',",
      },
      {
        file: 'apps/server/dist/app-routing.js',
        find: `const name = c.get('mount') ? 'x-request-id' : 'X-Request-Id';
            if (!out)
                c.header('X-Request-Id', info.requestId);
            else if (!addPlainHeader(c.res, name, info.requestId))
                out.setHeader(name, info.requestId);`,
        replace: 'void out;',
      },
    ],
  },
  {
    name: 'access_line',
    off: 'access line off (`MAILFRONT_LOG_LEVEL=warn`)',
    targets: ALL,
    env: ['MAILFRONT_LOG_LEVEL=warn'],
  },
  {
    name: 'request_log',
    off: "request log's capture off (`MAILFRONT_REQUEST_LOG_SIZE=0`; its middleware stays)",
    targets: ALL,
    env: ['MAILFRONT_REQUEST_LOG_SIZE=0'],
  },
]

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: '/tmp/layers' },
    targets: { type: 'string' },
    layers: { type: 'string' },
    pairs: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string', default: '/tmp/layers/runs.jsonl' },
  },
})
const dir = resolve(o.dir)
const treeOf = (l: Layer) => (l.patches ? join(dir, l.name) : ROOT)

function prepare() {
  if (!existsSync(join(ROOT, 'apps/server/dist/cli.js'))) throw new Error('build first: npm run build')
  mkdirSync(dir, { recursive: true })
  for (const l of LAYERS.filter((x) => x.patches)) {
    const to = join(dir, l.name)
    rmSync(to, { recursive: true, force: true })
    // The whole built tree; node_modules hard-linked (its workspace links are relative, so they
    // point into the copy's own packages), never patched.
    execFileSync('rsync', [
      '-a',
      '--exclude=/node_modules',
      '--exclude=/.git',
      '--exclude=/data',
      '--exclude=.turbo',
      `${ROOT}/`,
      `${to}/`,
    ])
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(to, 'node_modules')])
    for (const p of l.patches!) {
      const f = join(to, p.file)
      if (statSync(f).nlink !== 1) throw new Error(`${f} is hard-linked: patching it would patch the build`)
      const s = readFileSync(f, 'utf8')
      const n = s.split(p.find).length - 1
      if (n !== 1) throw new Error(`${l.name}: ${p.file}: the text to patch occurs ${n} times, not once`)
      writeFileSync(
        f,
        s.replace(p.find, () => `/* bench/layers.ts ${l.name} */ ${p.replace}`),
      )
    }
    writeFileSync(join(to, 'LAYER.txt'), `${l.name}: ${l.off}\n`)
    console.log(`${to}: ${l.off}`)
  }
}

const envOf = (l: Layer) => Object.fromEntries((l.env ?? []).map((kv) => kv.split('=') as [string, string]))

function selected() {
  const names = o.layers?.split(',')
  const targets = (o.targets?.split(',') ?? ALL) as HotTarget[]
  return { layers: LAYERS.filter((l) => !names || names.includes(l.name)), targets }
}

/** Every variant answers each endpoint it is measured on with a 2xx (and without the header, when off). */
async function check() {
  const { layers, targets } = selected()
  for (const l of layers) {
    const env = envOf(l)
    const data = join(dir, `check-${l.name}`)
    const p = await startProc([join(treeOf(l), 'apps/server/bin/mailfront.js'), 'serve'], {
      ...MAILFRONT_ENV,
      ...env,
      MAILFRONT_DATA_DIR: data,
    })
    try {
      for (const e of (await hotEndpoints(p.url)).filter((x) => l.targets.includes(x.target))) {
        if (!targets.includes(e.target)) continue
        const res = await fetch(p.url + e.path, {
          method: e.method ?? 'GET',
          headers: e.headers,
          body: e.body,
        })
        const rid = res.headers.get('x-request-id')
        await res.arrayBuffer()
        if (!res.ok) throw new Error(`${l.name} ${e.target}: ${res.status}`)
        if ((l.name === 'request_id') !== (rid === null))
          throw new Error(`${l.name} ${e.target}: X-Request-Id ${rid}`)
        // Twice more: the credential cache must still spare the slow hash (one per endpoint, the first).
        for (let i = 0; i < 2; i++)
          await (
            await fetch(p.url + e.path, { method: e.method ?? 'GET', headers: e.headers, body: e.body })
          ).arrayBuffer()
        console.log(`${l.name} ${e.target}: ${res.status}, X-Request-Id ${rid ?? 'none'}`)
      }
      const m = await (await fetch(`${p.url}/metrics`)).text()
      const counted = m.split('\n').filter((x) => x.startsWith('mailfront_http_requests_total{')).length
      if ((l.name === 'metrics') !== (counted === 0)) throw new Error(`${l.name}: ${counted} request series`)
      const slow = m.split('\n').filter((x) => x.startsWith('mailfront_slow_hashes_total{'))
      console.log(`${l.name}: ${counted} request series; ${slow.join(', ')}`)
    } finally {
      await p.stop()
      rmSync(data, { recursive: true, force: true })
    }
  }
}

/**
 * One series per endpoint, measured as bench:ab measures (bench/cpu-load.ts): the full build (A) and
 * every layer off (B1…Bk) up together, each pinned to core 0 and idle while another is loaded, the
 * load generator on core 1. After a warm-up of each, A then rounds of B1…Bk (rotated one place per
 * round, so no layer always runs furthest from A) each closed by A; a B run is paired with the mean
 * of the two A runs around its round. One A series for every layer: all are compared under the
 * same conditions, in about half the time of a bench:ab per layer.
 */
async function run() {
  if (TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  const { layers, targets } = selected()
  const seconds = Number(o.seconds)
  for (const t of targets) {
    const ls = layers.filter((x) => x.targets.includes(t))
    if (!ls.length) continue
    const trees = [{ tree: ROOT, env: {} }, ...ls.map((l) => ({ tree: treeOf(l), env: envOf(l) }))]
    const data = trees.map(() => mkdtempSync(join(tmpdir(), 'mf-layers-')))
    const procs: Proc[] = []
    console.log(`\n## ${t}: full build against ${ls.map((l) => l.name).join(', ')} (${clock()} UTC)`)
    try {
      for (const [i, v] of trees.entries())
        procs.push(
          await startProc([join(v.tree, 'apps/server/bin/mailfront.js'), 'serve'], {
            ...MAILFRONT_ENV,
            ...v.env,
            MAILFRONT_DATA_DIR: data[i]!,
          }),
        )
      const eps = await Promise.all(
        procs.map(async (p) => (await hotEndpoints(p.url)).find((x) => x.target === t)!),
      )
      const go = async (i: number, s: number) => {
        await sleep(300)
        return cpuRun(procs[i]!, eps[i]!, s)
      }
      // A warmed up last: its first measured run follows at once.
      for (const i of [...procs.keys()].reverse()) await go(i, Number(o.warmup))
      const a: CpuRun[] = [await go(0, seconds)]
      const b: CpuRun[][] = ls.map(() => [])
      for (let r = 0; r < Number(o.pairs); r++) {
        for (let j = 0; j < ls.length; j++) {
          const k = (j + r) % ls.length
          b[k]!.push(await go(k + 1, seconds))
        }
        a.push(await go(0, seconds))
        const f = (x: CpuRun) => x.us.toFixed(0)
        console.log(
          `round ${r + 1} (${clock()}, load ${a.at(-1)!.load.toFixed(2)}): A ${f(a.at(-2)!)}→${f(a.at(-1)!)}; ${ls.map((l, k) => `${l.name} ${f(b[k]!.at(-1)!)}`).join(', ')}`,
        )
      }
      for (const [k, l] of ls.entries()) {
        const paired = b[k]!.map((_, r) => {
          const [x, y] = [a[r]!, a[r + 1]!]
          return { us: (x.us + y.us) / 2, rps: (x.rps + y.rps) / 2, load: Math.max(x.load, y.load) }
        })
        const st = pairedStats(
          paired.map((x) => x.us),
          b[k]!.map((x) => x.us),
        )
        console.log(
          `${t} ${l.name}: A ${median(paired.map((x) => x.us)).toFixed(1)}, B ${median(b[k]!.map((x) => x.us)).toFixed(1)} µs/request; B − A per pair median ${st.median.toFixed(1)} (${st.lower}/${st.n} lower, p = ${st.p.toFixed(3)})`,
        )
        const row = { label: l.name, target: t, a: ROOT, b: trees[k + 1]!.tree, env: l.env ?? [] }
        appendFileSync(
          o.out,
          `${JSON.stringify({ ...row, at: new Date().toISOString(), runs: [paired, b[k]], full: a })}\n`,
        )
      }
    } finally {
      for (const p of procs) await p.stop().catch(() => undefined)
      for (const d of data) rmSync(d, { recursive: true, force: true })
    }
  }
}

const clock = () => new Date().toISOString().slice(11, 19)

/** Raw node:http (bench/baselines.ts), pinned as above, `--pairs` runs after the warm-up. */
async function raw() {
  if (TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  const p = await startProc(['--import', 'tsx', join(ROOT, 'bench/baselines.ts'), 'raw'])
  const e = { name: 'raw node:http', path: '/' }
  try {
    await cpuRun(p, e, Number(o.warmup))
    const runs: CpuRun[] = []
    for (let k = 0; k < Number(o.pairs); k++) {
      await sleep(300)
      runs.push(await cpuRun(p, e, Number(o.seconds)))
    }
    const us = runs.map((x) => x.us)
    console.log(
      `raw node:http: median ${median(us).toFixed(1)} µs/request (runs ${us.map((x) => x.toFixed(1)).join(', ')})`,
    )
    appendFileSync(
      o.out,
      `${JSON.stringify({ label: 'raw', target: 'raw', at: new Date().toISOString(), runs: [runs] })}\n`,
    )
  } finally {
    await p.stop()
  }
}

function report(file: string) {
  const all = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((x) => JSON.parse(x))
  const rawRuns = all
    .filter((r) => r.label === 'raw')
    .flatMap((r) => r.runs[0].map((x: { us: number }) => x.us))
  const rows = all.filter((r) => r.label !== 'raw')
  const saved = new Map<string, { all: number; real: number; full: number[] }>()
  console.log(
    '| endpoint | layer switched off | pairs | 1-min load | full µs | off µs | Δ (paired median) | pairs lower | p | verdict |',
  )
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
  for (const r of rows) {
    const [a, b] = (r.runs as { us: number; load: number }[][]).map((s) => s.map((x) => x.us))
    const loads = (r.runs as { load: number }[][]).flat().map((x) => x.load)
    const st = pairedStats(a!, b!)
    const verdict = st.p < 0.05 ? (st.median < 0 ? 'saves' : 'costs') : 'within noise'
    const sum = saved.get(r.target) ?? { all: 0, real: 0, full: [] }
    if (st.median < 0) sum.all -= st.median
    if (verdict === 'saves') sum.real -= st.median
    if (!saved.has(r.target)) sum.full.push(...(r.full ?? r.runs[0]).map((x: { us: number }) => x.us))
    saved.set(r.target, sum)
    const f = (x: number) => x.toFixed(1)
    console.log(
      `| ${r.target} | ${r.label} | ${st.n} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} | ${f(median(a!))} | ${f(median(b!))} | ${st.median > 0 ? '+' : ''}${f(st.median)} | ${st.lower}/${st.n} | ${st.p.toFixed(3)} | ${verdict} |`,
    )
  }
  const rawUs = rawRuns.length ? median(rawRuns) : 11
  const bar = rawUs / 0.35
  console.log(
    `\nraw node:http ${rawUs.toFixed(1)} µs/request (${rawRuns.length ? `${rawRuns.length} runs` : 'not measured: 11 assumed'}); 0.35 needs ≤ ${bar.toFixed(1)}\n`,
  )
  console.log(
    '| endpoint | full build µs (median of all A runs) | CPU ratio | needed | gap | own layers, real savings summed | every saving summed |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const [t, s] of saved) {
    const full = median(s.full)
    console.log(
      `| ${t} | ${full.toFixed(1)} (${s.full.length} runs) | ${(rawUs / full).toFixed(2)} | ${bar.toFixed(1)} | ${(full - bar).toFixed(1)} | ${s.real.toFixed(1)} | ${s.all.toFixed(1)} |`,
    )
  }
}

const cmd = positionals[0]
if (cmd === 'prepare') prepare()
else if (cmd === 'check') await check()
else if (cmd === 'run') await run()
else if (cmd === 'raw') await raw()
else if (cmd === 'report' && positionals[1]) report(positionals[1])
else {
  console.error(
    'usage: node --import tsx bench/layers.ts prepare|check|run|report <runs.jsonl> (see the top)',
  )
  process.exit(2)
}
