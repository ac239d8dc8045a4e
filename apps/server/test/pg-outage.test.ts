import { createServer, type Server, Socket } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoStoreCalls } from './demo-calls.ts'
import { type ServerProcess, startServer } from './server-process.ts'

// The real server on the real PostgreSQL loses its database: terminated backends under load (a
// restart, a failover, an idle reaper), then a database that cannot be reached at all. The process
// must stay up, answer 503 in each provider's own format meanwhile, and recover by itself.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl) console.log('[pg-outage] skipped: MAILFRONT_TEST_PG_URL is not set (needs a real PostgreSQL)')

const name = `mf_outage_${process.pid}_${Date.now()}`

/** A TCP relay to PostgreSQL that the test can cut (refusing new connections) and restore. */
function relay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket()
        upstream.connect(target.port, target.host)
        // Either side closing or failing closes the other, as one TCP connection would: a backend
        // reset by PostgreSQL must reach the server, not leave its socket waiting forever.
        const pair = [client, upstream]
        for (const s of pair) {
          sockets.add(s)
          s.on('close', () => {
            sockets.delete(s)
            for (const o of pair) o.destroy()
          })
          s.on('error', () => {
            for (const o of pair) o.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port
        resolve()
      })
    })
  return {
    listen,
    get port() {
      return port
    },
    /** Drop every connection and refuse new ones (ECONNREFUSED), as a stopped server does. */
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server!.close(() => resolve())
      }),
  }
}

const JSON_RPC_503 = (id: string) => ({
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Service temporarily unavailable, try again later' },
  id,
})

describe.skipIf(!pgUrl)(
  'PostgreSQL outage (real server process; skipped without MAILFRONT_TEST_PG_URL)',
  () => {
    let srv: (ServerProcess & { dataDir: string }) | undefined
    let admin: pg.Client
    let db: ReturnType<typeof relay>

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      await admin.query(`CREATE SCHEMA ${name}`)
      const target = new URL(pgUrl!)
      db = relay({ host: target.hostname, port: Number(target.port || 5432) })
      await db.listen()
      const u = new URL(pgUrl!)
      u.host = `127.0.0.1:${db.port}`
      u.searchParams.set('options', `-c search_path=${name}`)
      // Our own application_name: pg_terminate_backend below kills only this server's connections.
      u.searchParams.set('application_name', name)
      srv = await startServer({
        MAILFRONT_DATABASE_URL: u.toString(),
        MAILFRONT_TLS: 'off',
        MAILFRONT_REQUIRE_HTTPS: 'false',
        MAILFRONT_DEMO: 'on',
        MAILFRONT_SECRET: 'o'.repeat(40),
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      })
    }, 60_000)

    afterAll(async () => {
      srv?.child.kill('SIGKILL')
      await db?.cut().catch(() => undefined)
      await admin?.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined)
      await admin?.end()
    })

    const calls = demoStoreCalls(() => srv!.url)

    async function allServe() {
      for (const [plugin, call] of Object.entries(calls)) {
        const res = await call()
        expect({ plugin, status: res.status }).toEqual({ plugin, status: 200 })
        await res.arrayBuffer()
      }
      expect((await fetch(`${srv!.url}/readyz`)).status).toBe(200)
    }

    it('stays up while its backends are terminated under load, answers only 200 or 503, and recovers', async () => {
      await allServe()
      const kill = () =>
        admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1',
          [name],
        )
      const statuses = new Map<number, number>()
      let running = true
      const load = Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const call = Object.values(calls)[i % 4]!
          while (running) {
            // A transport failure (a cut connection) counts as -1, which the check below refuses.
            const status = await call().then(
              async (res) => {
                await res.arrayBuffer()
                return res.status
              },
              () => -1,
            )
            statuses.set(status, (statuses.get(status) ?? 0) + 1)
          }
        }),
      )
      let killed = 0
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 100))
        killed += (await kill()).rowCount ?? 0
      }
      running = false
      await load
      expect(killed).toBeGreaterThan(0)
      expect(srv!.child.exitCode).toBeNull()
      // A request whose connection died is a 503, never a 500 or a cut connection; most are served.
      expect(statuses.get(200)).toBeGreaterThan(0)
      expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([])
      expect(srv!.output()).not.toContain("Emitted 'error' event")
      await allServe()
    }, 60_000)

    it('answers 503 in each provider format while the database is unreachable, then recovers without a restart', async () => {
      await db.cut()
      // The caller's row may be reused for up to 1 s per instance (the principal cache, README):
      // past that every request needs the database.
      await new Promise((r) => setTimeout(r, 1100))
      const authsmtp = await calls.authsmtp()
      expect(authsmtp.status).toBe(503)
      expect(authsmtp.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
      expect(authsmtp.headers.get('retry-after')).toBe('5')
      expect(await authsmtp.text()).toBe(
        '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>9</code>\n    <message>Service temporarily unavailable, try again later</message>\n  </error>\n</result>\n',
      )
      const smtpd = await calls.smtpd()
      expect(smtpd.status).toBe(503)
      expect(smtpd.headers.get('retry-after')).toBe('5')
      expect(await smtpd.json()).toEqual({
        code: 50301,
        message: 'Service temporarily unavailable, try again later',
      })
      const tmail = await calls.tmail()
      expect(tmail.status).toBe(503)
      expect(tmail.headers.get('retry-after')).toBe('5')
      expect(await tmail.json()).toEqual({ msg: 'service temporarily unavailable', raw: '' })
      const rpc = await calls.mailboxorg()
      expect(rpc.status).toBe(503)
      expect(rpc.headers.get('retry-after')).toBe('5')
      expect(await rpc.json()).toEqual(JSON_RPC_503('7'))
      const ready = await fetch(`${srv!.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ status: 'unavailable', storage: 'postgres' })
      expect(srv!.child.exitCode).toBeNull()

      await db.listen()
      await allServe()
      expect(srv!.output()).toContain('database connection lost')
    }, 60_000)
  },
)
