import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoStoreCalls } from './demo-calls.ts'
import { type ServerProcess, startServer } from './server-process.ts'

// The real server on a PostgreSQL database that stops accepting connections
// (`ALTER DATABASE … ALLOW_CONNECTIONS false`, SQLSTATE 55000 on connect): every request answers 503
// with Retry-After in its provider's format, /readyz says 503, and service comes back by itself.
// The database is this test's own (never the shared one), dropped afterwards.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl) console.log('[pg-refusing] skipped: MAILFRONT_TEST_PG_URL is not set (needs a real PostgreSQL)')

const dbName = `mf_allowconn_${process.pid}`

describe.skipIf(!pgUrl)(
  'PostgreSQL refusing connections (real server process; skipped without MAILFRONT_TEST_PG_URL)',
  () => {
    let srv: (ServerProcess & { dataDir: string }) | undefined
    let admin: pg.Client

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      await admin.query(`CREATE DATABASE ${dbName}`)
      const u = new URL(pgUrl!)
      u.pathname = `/${dbName}`
      srv = await startServer({
        MAILFRONT_DATABASE_URL: u.toString(),
        MAILFRONT_TLS: 'off',
        MAILFRONT_REQUIRE_HTTPS: 'false',
        MAILFRONT_DEMO: 'on',
        MAILFRONT_SECRET: 'r'.repeat(40),
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      })
    }, 60_000)

    afterAll(async () => {
      srv?.child.kill('SIGKILL')
      await admin?.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined)
      await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined)
      await admin?.end()
    })

    const calls = demoStoreCalls(() => srv!.url)

    async function statuses() {
      const out: Record<string, number> = {}
      for (const [plugin, call] of Object.entries(calls)) {
        const res = await call()
        out[plugin] = res.status
        await res.arrayBuffer()
      }
      return out
    }

    it('answers 503 with Retry-After in each provider format (not 500), /readyz 503, then recovers', async () => {
      expect(await statuses()).toEqual({ authsmtp: 200, smtpd: 200, tmail: 200, mailboxorg: 200 })
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`)
      // Connections already open are not affected by ALLOW_CONNECTIONS: end them, so every new one
      // is refused with 55000 "database … is not currently accepting connections".
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName],
      )
      // The caller's row may be reused for up to 1 s (the principal cache): past that every request
      // needs the database.
      await new Promise((r) => setTimeout(r, 1100))
      // A request on a pooled connection that was just terminated is a 503 too; take a few rounds so
      // every pooled connection is gone and the answers come from refused connects.
      for (let i = 0; i < 3; i++)
        expect(await statuses()).toEqual({ authsmtp: 503, smtpd: 503, tmail: 503, mailboxorg: 503 })

      const authsmtp = await calls.authsmtp()
      expect(authsmtp.status).toBe(503)
      expect(authsmtp.headers.get('retry-after')).toBe('5')
      expect(await authsmtp.text()).toContain('<code>9</code>')
      const smtpd = await calls.smtpd()
      expect(smtpd.headers.get('retry-after')).toBe('5')
      expect(await smtpd.json()).toEqual({
        code: 50301,
        message: 'Service temporarily unavailable, try again later',
      })
      const tmail = await calls.tmail()
      expect(tmail.headers.get('retry-after')).toBe('5')
      expect(await tmail.json()).toEqual({ msg: 'service temporarily unavailable', raw: '' })
      const rpc = await calls.mailboxorg()
      expect(rpc.headers.get('retry-after')).toBe('5')
      expect(await rpc.json()).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Service temporarily unavailable, try again later' },
        id: '7',
      })
      const ready = await fetch(`${srv!.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ status: 'unavailable', storage: 'postgres' })
      expect(srv!.output()).toContain('not currently accepting connections')
      expect(srv!.child.exitCode).toBeNull()

      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`)
      expect(await statuses()).toEqual({ authsmtp: 200, smtpd: 200, tmail: 200, mailboxorg: 200 })
      expect((await fetch(`${srv!.url}/readyz`)).status).toBe(200)
    }, 60_000)
  },
)
