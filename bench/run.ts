// npm run bench: mailfront's hot endpoints against raw node:http and bare Hono, in one run.
// Usage: npm run bench -- [--only <target>] [--quick] [--duration S] [--rounds N] [--rows N]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { type Proc, rssKb, sleep, startProc, TASKSET } from './procs.ts'
import { fillQueue } from './queue.ts'
import { benchSmtp } from './smtp.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'apps/server/bin/mailfront.js')
const TSX = ['--import', 'tsx']

const { values: o } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    rows: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})
const TARGETS = [
  'basic_user',
  'oauth_me',
  'tmail_user',
  'innerworld',
  'queue',
  'singleflight',
  'smtp',
] as const
type Target = (typeof TARGETS)[number]
if (o.help) {
  console.log(
    `npm run bench -- [--only ${TARGETS.join('|')}] [--quick] [--duration S] [--rounds N] [--rows N]`,
  )
  process.exit(0)
}
if (o.only && !TARGETS.includes(o.only as Target)) {
  console.error(`--only must be one of ${TARGETS.join(', ')}`)
  process.exit(2)
}
const DURATION = Number(o.duration ?? (o.quick ? 2 : 5))
const ROUNDS = Number(o.rounds ?? (o.quick ? 1 : 3))
const ROWS = Number(o.rows ?? (o.quick ? 200_000 : 1_000_000))
const want = (t: Target) => !o.only || o.only === t

interface Http {
  name: string
  goal?: number
  path: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

const MAILFRONT_ENV = {
  MAILFRONT_PORT: '0',
  MAILFRONT_SMTP_PORT: '0',
  MAILFRONT_TLS: 'off',
  MAILFRONT_REQUIRE_HTTPS: 'false',
  MAILFRONT_DEMO: 'on',
  MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
  MAILFRONT_MAILBOXORG_SESSION_CALLS_PER_MIN: '0',
  MAILFRONT_SMTPD_CALLS_PER_MIN: '0',
  MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '0',
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
  return res.json() as Promise<Record<string, any>>
}

async function load(url: string, t: Http) {
  const r = await autocannon({
    url: url + t.path,
    connections: 50,
    duration: DURATION,
    method: t.method ?? 'GET',
    headers: t.headers ?? {},
    ...(t.body ? { body: t.body } : {}),
  })
  const bad = r.non2xx + r.errors + r.timeouts
  if (bad) throw new Error(`${t.name}: ${bad} failed requests of ${r.requests.total}`)
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 }
}

/** Stream GET /queue, counting rows, sampling the server's RSS. */
function streamQueue(url: string, pid: number) {
  return new Promise<{ rows: number; seconds: number; rssGrowthMb: number | null }>(
    (resolvePromise, reject) => {
      const base = rssKb(pid)
      let peak = base ?? 0
      const t0 = performance.now()
      request(`${url}/queue`, { headers: { Authorization: basic('admin', 'admin') } }, (res) => {
        let rows = 0
        let carry = ''
        let n = 0
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          const s = carry + d
          rows += s.split('{"Id":').length - 1
          carry = s.slice(-6)
          if (++n % 50 === 0) peak = Math.max(peak, rssKb(pid) ?? 0)
        })
        res.on('end', () =>
          resolvePromise({
            rows,
            seconds: (performance.now() - t0) / 1000,
            rssGrowthMb: base === null ? null : (Math.max(peak, rssKb(pid) ?? 0) - base) / 1024,
          }),
        )
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    },
  )
}

async function metric(url: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const m = new RegExp(`^${name}\\{plugin="${label}"\\} (\\d+)`, 'm').exec(text)
  return m ? Number(m[1]) : 0
}

async function main() {
  if (TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  const started = Date.now()
  const dataDir = mkdtempSync(join(tmpdir(), 'mailfront-bench-'))
  const procs: Proc[] = []
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    taskset: TASKSET,
    duration_s: DURATION,
    rounds: ROUNDS,
    connections: 50,
  }
  try {
    const raw = await startProc([...TSX, join(ROOT, 'bench/baselines.ts'), 'raw'])
    const hono = await startProc([...TSX, join(ROOT, 'bench/baselines.ts'), 'hono'])
    const mf = await startProc([BIN, 'serve'], { ...MAILFRONT_ENV, MAILFRONT_DATA_DIR: dataDir })
    procs.push(raw, hono, mf)

    // The single-flight check first, while aa99999's credential has never been seen.
    if (want('singleflight')) {
      const before = await metric(mf.url, 'mailfront_slow_hashes_total', 'authsmtp')
      const auth = { Authorization: basic('aa99999', 'demo-api-password-2') }
      const all = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${mf.url}/restful/basic_user/aa99999`, { headers: auth }).then((r) => r.status),
        ),
      )
      const slow = (await metric(mf.url, 'mailfront_slow_hashes_total', 'authsmtp')) - before
      results.singleflight = {
        requests: 50,
        ok: all.filter((s) => s === 200).length,
        slow_hashes: slow,
        goal: 1,
        met: slow === 1,
      }
    }

    const jwt = (
      await post(`${mf.url}/oauth/token?grant_type=password`, '', {
        Authorization: basic('jack.truong@example.com', 'demo-password'),
      })
    ).access_token
    const session = (
      await post(
        `${mf.url}/v1/`,
        JSON.stringify({
          jsonrpc: '2.0',
          method: 'auth',
          params: { user: 'test_account', pass: '123456' },
          id: 1,
        }),
      )
    ).result.session
    const endpoints: (Http & { target: Target })[] = [
      {
        target: 'basic_user',
        name: 'AuthSMTP GET /restful/basic_user/aa12345',
        goal: 0.5,
        path: '/restful/basic_user/aa12345',
        headers: { Authorization: basic('aa12345', 'demo-api-password') },
      },
      {
        target: 'oauth_me',
        name: 'SMTPD GET /oauth/me',
        goal: 0.6,
        path: '/oauth/me',
        headers: { Authorization: `Bearer ${jwt}` },
      },
      {
        target: 'tmail_user',
        name: 'tmail GET /users/toorop@tmail.io',
        goal: 0.6,
        path: '/users/toorop@tmail.io',
        headers: { Authorization: basic('admin', 'admin') },
      },
      {
        target: 'innerworld',
        name: 'mailbox.org hello.innerworld',
        goal: 0.6,
        path: '/v1/',
        method: 'POST',
        headers: { 'HPLS-AUTH': session, 'Content-Type': 'application/json' },
        body: '{"jsonrpc":"2.0","method":"hello.innerworld","params":"","id":"1"}',
      },
    ]
    const chosen = endpoints.filter((e) => want(e.target))
    const rounds: Record<string, { rps: number; p50: number; p99: number; ratio?: number }>[] = []
    if (chosen.length) {
      // Warm up every server (JIT, caches), then interleaved rounds with the servers idle in between.
      for (const [u, t] of [
        [raw.url, { name: 'raw', path: '/' }],
        [hono.url, { name: 'hono', path: '/' }],
        ...chosen.map((e) => [mf.url, e] as const),
      ] as const)
        await autocannon({
          url: u + t.path,
          connections: 50,
          duration: 1,
          method: (t as Http).method ?? 'GET',
          headers: (t as Http).headers ?? {},
          ...((t as Http).body ? { body: (t as Http).body } : {}),
        })
      for (let r = 0; r < ROUNDS; r++) {
        const round: (typeof rounds)[number] = {}
        round.raw = await load(raw.url, { name: 'raw', path: '/' })
        await sleep(500)
        round.hono = { ...(await load(hono.url, { name: 'hono', path: '/' })) }
        round.hono.ratio = round.hono.rps / round.raw.rps
        for (const e of chosen) {
          await sleep(500)
          const m = await load(mf.url, e)
          round[e.name] = { ...m, ratio: m.rps / round.raw.rps }
        }
        rounds.push(round)
        console.error(`round ${r + 1}/${ROUNDS} done`)
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const summary = ['raw', 'hono', ...chosen.map((e) => e.name)]
      .filter(() => chosen.length)
      .map((name) => {
        const e = chosen.find((x) => x.name === name)
        const rs = rounds.map((r) => r[name]!)
        const ratio = name === 'raw' ? 1 : median(rs.map((x) => x.ratio!))
        const p99 = median(rs.map((x) => x.p99))
        return {
          name:
            name === 'raw' ? 'raw node:http (fixed JSON)' : name === 'hono' ? 'bare Hono (fixed JSON)' : name,
          rps: median(rs.map((x) => x.rps)),
          p50_ms: median(rs.map((x) => x.p50)),
          p99_ms: p99,
          ratio: Number(ratio.toFixed(2)),
          ...(e?.goal ? { goal: e.goal, met: ratio >= e.goal && p99 < 5 } : {}),
        }
      })
    results.endpoints = summary
    results.per_round = rounds

    if (want('queue')) {
      const qDir = mkdtempSync(join(tmpdir(), 'mailfront-bench-queue-'))
      try {
        const q0 = await startProc([BIN, 'serve'], { ...MAILFRONT_ENV, MAILFRONT_DATA_DIR: qDir })
        await q0.stop()
        fillQueue(join(qDir, 'mailfront.db'), ROWS)
        const q = await startProc([BIN, 'serve'], { ...MAILFRONT_ENV, MAILFRONT_DATA_DIR: qDir })
        procs.push(q)
        await streamQueue(q.url, q.child.pid!).catch(() => undefined) // warm-up pass
        await sleep(500)
        const s = await streamQueue(q.url, q.child.pid!)
        const rowsPerS = Math.round(s.rows / s.seconds)
        results.queue = {
          rows: s.rows,
          seconds: Number(s.seconds.toFixed(2)),
          rows_per_s: rowsPerS,
          rss_growth_mb: s.rssGrowthMb === null ? null : Number(s.rssGrowthMb.toFixed(1)),
          goal: { rows_per_s: 200_000, rss_growth_mb: 64 },
          met: rowsPerS >= 200_000 && (s.rssGrowthMb ?? 0) < 64,
        }
        await q.stop()
      } finally {
        rmSync(qDir, { recursive: true, force: true })
      }
    }
    if (want('smtp')) {
      const sDir = mkdtempSync(join(tmpdir(), 'mailfront-bench-smtp-'))
      try {
        const { result, proc } = await benchSmtp(BIN, MAILFRONT_ENV, sDir, Math.max(DURATION, 5))
        procs.push(proc)
        results.smtp = result
        await proc.stop()
      } finally {
        rmSync(sDir, { recursive: true, force: true })
      }
    }
    results.total_s = Math.round((Date.now() - started) / 1000)
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined)
    rmSync(dataDir, { recursive: true, force: true })
  }
  const table = render(results)
  console.log(table)
  // Only a full default run is the reference: a quick or partial run does not replace it.
  const full = !o.only && !o.quick && !o.duration && !o.rounds && !o.rows
  if (full) {
    writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)
    updateDoc(table)
  } else console.log('\n(partial run: bench/results.json and docs/performance.md left as they are)')
}

function render(r: Record<string, any>): string {
  const lines = [
    `Measured ${r.date.slice(0, 10)}, Node ${r.node}, ${r.connections} connections, ${r.rounds} interleaved round(s) of ${r.duration_s} s, median shown; ${r.taskset ? 'server on core 0, load generator on core 1 (taskset)' : 'no taskset: server and load generator share the cores'}.`,
    '',
  ]
  if (r.endpoints?.length) {
    lines.push(
      '| endpoint | req/s | p50 ms | p99 ms | ratio to raw node:http | goal |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    )
    for (const e of r.endpoints)
      lines.push(
        `| ${e.name} | ${e.rps} | ${e.p50_ms} | ${e.p99_ms} | ${e.ratio.toFixed(2)} | ${e.goal ? `≥ ${e.goal.toFixed(2)}, p99 < 5 ms: ${e.met ? 'met' : '**not met**'}` : ''} |`,
      )
    lines.push('')
  }
  if (r.queue)
    lines.push(
      `tmail \`GET /queue\` with ${r.queue.rows.toLocaleString('en')} rows: ${r.queue.rows_per_s.toLocaleString('en')} rows/s (${r.queue.seconds} s), server RSS growth ${r.queue.rss_growth_mb ?? 'n/a'} MB; goal ≥ 200,000 rows/s and < 64 MB: ${r.queue.met ? 'met' : '**not met**'}.`,
      '',
    )
  if (r.smtp)
    lines.push(
      `SMTP submission (${r.smtp.clients} clients, ${r.smtp.message_bytes}-byte messages, AUTH once per connection, capture, SQLite): ${r.smtp.messages_per_s} messages/s (${r.smtp.accepted} in ${r.smtp.seconds} s, ${r.smtp.refused} refused, ${r.smtp.delivered} captured; server CPU ${r.smtp.server_cpu_ms_per_message ?? 'n/a'} ms per message); a steady 100 req/s on basic_user meanwhile: p99 ${r.smtp.http.loaded_p99_ms} ms (idle server: ${r.smtp.http.idle_p99_ms} ms); goal ≥ 300 messages/s: ${r.smtp.met ? 'met' : '**not met**'}.`,
      '',
    )
  if (r.singleflight)
    lines.push(
      `Single flight: ${r.singleflight.requests} concurrent first requests with one new Basic credential → ${r.singleflight.slow_hashes} slow hash(es) (goal exactly 1: ${r.singleflight.met ? 'met' : '**not met**'}).`,
      '',
    )
  lines.push(`Whole run: ${r.total_s} s.`)
  return lines.join('\n')
}

/** Replace the generated part of docs/performance.md, keeping the analysis around it. */
function updateDoc(table: string) {
  const file = join(ROOT, 'docs/performance.md')
  let doc: string
  try {
    doc = readFileSync(file, 'utf8')
  } catch {
    doc = '# Performance\n\n<!-- bench:start -->\n<!-- bench:end -->\n'
  }
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const i = doc.indexOf(start)
  const j = doc.indexOf(end)
  if (i < 0 || j < i) return
  writeFileSync(file, `${doc.slice(0, i + start.length)}\n${table}\n${doc.slice(j)}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
