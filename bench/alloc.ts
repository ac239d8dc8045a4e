// npm run bench:alloc -- <target> --a <built tree> [--b <built tree>]: bytes the JS heap allocates per
// request, and the GC's pause per request, from V8's own accounting (`--trace-gc-nvp`: each GC prints
// what was allocated since the last one). Unlike CPU time, allocation does not depend on how busy
// the machine is, so it measures the garbage a change removes where CPU time is too noisy. Bytes the
// scavenges copy (survived in the young generation or promoted to the old) are load-independent too:
// what a request keeps alive past its answer (a log entry's references) shows there, and each copied
// byte is scavenge work and, once promoted, mark-compact work. The pause itself is wall time and so
// swings with the machine's load.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { hotEndpoints, MAILFRONT_ENV, TARGET_NAMES } from './endpoints.ts'

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { a: { type: 'string' }, b: { type: 'string' }, seconds: { type: 'string', default: '5' } },
})
const target = positionals[0]
if (!target || !(TARGET_NAMES as readonly string[]).includes(target) || !o.a) {
  console.error(
    `usage: npm run bench:alloc -- <${TARGET_NAMES.join('|')}> --a <dir> [--b <dir>] [--seconds S]`,
  )
  process.exit(2)
}

async function run(root: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mf-alloc-'))
  const child = spawn(
    process.execPath,
    ['--trace-gc-nvp', join(resolve(root), 'apps/server/bin/mailfront.js'), 'serve'],
    { env: { ...process.env, ...MAILFRONT_ENV, MAILFRONT_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const gc = { on: false, bytes: 0, copied: 0, pauseMs: 0, count: 0, full: 0 }
  let url = ''
  let rest = ''
  const ready = new Promise<void>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`server exited with ${code}`)))
    child.stdout!.on('data', (b: Buffer) => {
      const lines = (rest + b.toString()).split('\n')
      rest = lines.pop()!
      for (const l of lines) {
        const u = !url && /mailfront (https?:\/\/\S+)/.exec(l)
        if (u) {
          url = u[1]!
          res()
        }
        const a = gc.on && /pause=([\d.]+).* allocated=(\d+)/.exec(l)
        if (a) {
          gc.pauseMs += Number(a[1])
          gc.bytes += Number(a[2])
          gc.count++
          gc.copied +=
            Number(/ promoted=(\d+)/.exec(l)?.[1] ?? 0) +
            Number(/ new_space_survived=(\d+)/.exec(l)?.[1] ?? 0)
          if (/ gc=mc/.test(l)) gc.full++
        }
      }
    })
  })
  child.stderr!.resume()
  try {
    await ready
    const e = (await hotEndpoints(url)).find((x) => x.target === target)!
    const opts = {
      url: url + e.path,
      connections: 50,
      method: e.method ?? 'GET',
      headers: e.headers ?? {},
      ...(e.body ? { body: e.body } : {}),
    }
    await autocannon({ ...opts, duration: 3 })
    gc.on = true
    const r = await autocannon({ ...opts, duration: Number(o.seconds) })
    gc.on = false
    const n = r.requests.total
    if (r.non2xx + r.errors) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`)
    return {
      kb: gc.bytes / n / 1024,
      copied: gc.copied / n,
      gcs: (gc.count * 1000) / n,
      full: (gc.full * 1000) / n,
      pauseUs: (gc.pauseMs * 1000) / n,
    }
  } finally {
    child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const [name, root] of [
  ['A', o.a],
  ['B', o.b],
] as const) {
  if (!root) continue
  const r = await run(root)
  console.log(
    `${name} ${target}: ${r.kb.toFixed(2)} KiB allocated per request, ${r.copied.toFixed(0)} bytes copied by scavenges per request, ${r.gcs.toFixed(2)} GCs (${r.full.toFixed(3)} mark-compacts) per 1,000 requests, GC pause ${r.pauseUs.toFixed(1)} µs per request`,
  )
}
