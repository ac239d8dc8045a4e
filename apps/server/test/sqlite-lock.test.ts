import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from './server-process.ts'

// Another process holds the real server's SQLite file with `BEGIN EXCLUSIVE` for 12 s (a backup, a
// sqlite3 shell, `mailfront fixtures load` against a live store). The server must keep answering:
// /healthz and /readyz at once, a request that needs to write 503 with Retry-After after about a
// second (not after busy_timeout seconds with the event loop frozen), and everything acknowledged
// must be there once the lock is gone.
const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3')
const LOCKER = `
const Database = require(${JSON.stringify(DRIVER)})
const db = new Database(process.argv[1])
db.exec('BEGIN EXCLUSIVE')
db.prepare("CREATE TABLE IF NOT EXISTS t_locker (x)").run()
process.stdout.write('locked\\n')
const release = () => { db.exec('ROLLBACK'); db.close(); process.stdout.write('released\\n'); process.exit(0) }
process.stdin.on('data', release)
setTimeout(release, 12000)
`

/** A second process holding the exclusive lock until `release()` (or 12 s). */
async function holdLock(file: string) {
  const child: ChildProcess = spawn(process.execPath, ['-e', LOCKER, file], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  const seen = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(word) && resolve()
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString()
        check()
      })
      child.once('exit', () => (out.includes(word) ? resolve() : reject(new Error(`locker: ${out}`))))
      check()
    })
  await seen('locked')
  return {
    release: async () => {
      child.stdin!.write('go\n')
      await seen('released')
    },
  }
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
const ADMIN = { Authorization: basic('admin', 'admin') }

describe('a SQLite lock held by another process (real server process)', () => {
  let srv: (ServerProcess & { dataDir: string }) | undefined
  beforeAll(async () => {
    srv = await startServer({
      MAILFRONT_TLS: 'off',
      MAILFRONT_REQUIRE_HTTPS: 'false',
      MAILFRONT_DEMO: 'on',
      MAILFRONT_SECRET: 'l'.repeat(40),
    })
  }, 60_000)
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  const timed = async (path: string, init: RequestInit = {}) => {
    const t0 = performance.now()
    const res = await fetch(`${srv!.url}${path}`, init)
    const body = await res.text()
    return { status: res.status, headers: res.headers, body, ms: performance.now() - t0 }
  }
  const addUser = (name: string) =>
    timed(`/users/${name}@tmail.io`, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: '{"passwd":"a long password","authRelay":true,"haveMailbox":true,"mailboxQuota":"1G"}',
    })

  it('keeps answering while locked: health at once, writes 503 with Retry-After, none lost after', async () => {
    const acknowledged: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await addUser(`before${i}`)
      expect(r.status).toBe(201)
      acknowledged.push(`before${i}`)
    }
    const lock = await holdLock(join(srv!.dataDir, 'mailfront.db'))
    let writes: Awaited<ReturnType<typeof addUser>>[] = []
    const health: number[] = []
    try {
      // Four writers at once (two creations, two deletions), and the health checks while they wait.
      const pending = Promise.all([
        addUser('during0'),
        addUser('during1'),
        timed('/users/before0@tmail.io', { method: 'DELETE', headers: ADMIN }),
        timed('/users/before1@tmail.io', { method: 'DELETE', headers: ADMIN }),
      ])
      for (let i = 0; i < 10; i++) {
        const h = await timed('/healthz')
        expect(h.status).toBe(200)
        const r = await timed('/readyz')
        expect([200, 503]).toContain(r.status)
        health.push(h.ms, r.ms)
        await new Promise((r) => setTimeout(r, 50))
      }
      writes = await pending
    } finally {
      await lock.release()
    }
    const slowest = Math.max(...health)
    const median = [...health].sort((a, b) => a - b)[health.length >> 1]!
    console.log(
      `[sqlite-lock] health/readyz while locked: median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms of ${health.length} ` +
        `(${health.map((ms) => ms.toFixed(0)).join(' ')}); ` +
        `writes answered ${writes.map((w) => `${w.status} in ${w.ms.toFixed(0)} ms`).join(', ')}`,
    )
    // The issue asks for 100 ms; the bound here is generous for a loaded 2-core machine (before the
    // fix every answer waited for busy_timeout, 5 s and more).
    expect(slowest).toBeLessThan(1000)
    for (const w of writes) {
      expect(w.status).toBe(503)
      expect(w.headers.get('retry-after')).toBe('5')
      expect(JSON.parse(w.body)).toEqual({ msg: 'service temporarily unavailable', raw: '' })
      expect(w.ms).toBeLessThan(4000)
    }

    // Once released: writes work again, and everything acknowledged is there.
    for (let i = 0; i < 3; i++) {
      expect((await addUser(`after${i}`)).status).toBe(201)
      acknowledged.push(`after${i}`)
    }
    for (const name of acknowledged)
      expect((await timed(`/users/${name}@tmail.io`, { headers: ADMIN })).status).toBe(200)
    for (let i = 0; i < 2; i++)
      expect((await timed(`/users/during${i}@tmail.io`, { headers: ADMIN })).status).toBe(404)
    expect((await timed('/readyz')).status).toBe(200)
    expect(srv!.child.exitCode).toBeNull()
  }, 60_000)
})
