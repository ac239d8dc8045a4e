// npm run bench:retained -- <target> [--a <built tree>]: heap bytes the request
// log keeps per entry, from one process: the ring filled with the endpoint's requests, then cleared
// (DELETE /_mailfront/requests), the heap measured after full GCs each time; the difference ÷ the
// ring's 1,000 entries, three times. Exact to a few per cent and independent of the machine's load:
// what an entry keeps is what every scavenge copies and the old generation then holds.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { hotEndpoints, MAILFRONT_ENV, TARGET_NAMES } from './endpoints.ts'

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { a: { type: 'string', default: '.' } },
})
const target = positionals[0]
const gc = (globalThis as { gc?: () => void }).gc
if (!target || !(TARGET_NAMES as readonly string[]).includes(target) || !gc) {
  console.error(
    `usage: node --expose-gc --import tsx bench/retained.ts <${TARGET_NAMES.join('|')}> [--a <dir>]`,
  )
  process.exit(2)
}
const data = mkdtempSync(join(tmpdir(), 'mf-retained-'))
Object.assign(process.env, MAILFRONT_ENV, {
  MAILFRONT_DATA_DIR: data,
  MAILFRONT_LOG_LEVEL: 'warn',
  MAILFRONT_REQUEST_LOG_SIZE: '1000',
})
// The server's startup line names its address; everything else it prints is dropped.
const write = process.stdout.write.bind(process.stdout)
let url = ''
const listening = new Promise<void>((res) => {
  process.stdout.write = ((s: string | Uint8Array) => {
    const m = !url && /mailfront (https?:\/\/\S+)/.exec(String(s))
    if (m) {
      url = m[1]!
      res()
    }
    return true
  }) as typeof process.stdout.write
})
const cli = (await import(resolve(o.a, 'apps/server/dist/cli.js'))) as { main(argv: string[]): Promise<void> }
void cli.main(['node', 'mailfront', 'serve'])
await listening
const e = (await hotEndpoints(url)).find((x) => x.target === target)!
const load = async (n: number) => {
  for (let i = 0; i < n; i += 25)
    await Promise.all(
      Array.from({ length: 25 }, () =>
        fetch(url + e.path, { method: e.method ?? 'GET', headers: e.headers, body: e.body }).then((r) =>
          r.arrayBuffer(),
        ),
      ),
    )
}
const heap = async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 20))
  }
  return process.memoryUsage().heapUsed
}
const per: number[] = []
for (let round = 0; round < 3; round++) {
  await load(1500)
  const full = await heap()
  const cleared = await fetch(`${url}/_mailfront/requests`, { method: 'DELETE' })
  if (cleared.status !== 204) throw new Error(`DELETE /_mailfront/requests: ${cleared.status}`)
  per.push((full - (await heap())) / 1000)
}
write(`${target}: ${per.map((x) => x.toFixed(0)).join(', ')} bytes kept per request-log entry\n`)
rmSync(data, { recursive: true, force: true })
process.exit(0)
