import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBasic } from '@mailfront/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from './server-process.ts'

// Two real `mailfront serve` processes on one PostgreSQL behave as one server: sessions, deauth,
// revoked refresh tokens, the AuthSMTP limit (store counters, and Redis counters when
// MAILFRONT_TEST_REDIS_URL is set), login throttles, and races between the two.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
const redisUrl = process.env.MAILFRONT_TEST_REDIS_URL
if (!pgUrl)
  console.log('[scale-out processes] skipped: MAILFRONT_TEST_PG_URL is not set (needs a real PostgreSQL)')

const tag = `${process.pid}_${Date.now()}`
const schema = `mf_procs_${tag}`
// A user id of this run only: the Redis counters are shared with whoever else uses that Redis.
const USER = `rl${tag}`.slice(0, 40)
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: pgUrl })
  await c.connect()
  await c.query(sql)
  await c.end()
}

type Srv = ServerProcess & { dataDir: string }
const started: Srv[] = []
async function pair(extra: Record<string, string>): Promise<[Srv, Srv]> {
  const u = new URL(pgUrl!)
  u.searchParams.set('options', `-c search_path=${schema}`)
  const dir = mkdtempSync(join(tmpdir(), 'mf-procs-'))
  const fixtures = join(dir, 'fixtures.json')
  writeFileSync(
    fixtures,
    JSON.stringify({
      authsmtp: {
        accounts: [
          {
            user_id: USER,
            api_password: 'pair-api-password',
            api_enabled: true,
            created_at: '2025-01-28 00:00:00',
            messages_limit: 1000,
            data_limit: 1000000,
            messages_sent: 0,
            data_sent: 0,
            max_message_size: 1000000,
            from_addresses_limit: 1,
            from_addresses: [],
            ip_addresses: [],
          },
        ],
      },
    }),
  )
  const env = {
    MAILFRONT_DATABASE_URL: u.toString(),
    MAILFRONT_SECRET: 'p'.repeat(40),
    MAILFRONT_TLS: 'off',
    MAILFRONT_REQUIRE_HTTPS: 'false',
    MAILFRONT_DEMO: 'on',
    MAILFRONT_FIXTURES: fixtures,
    MAILFRONT_MAILBOXORG_LOGIN_FAILURES: '3',
    MAILFRONT_TMAIL_LOGIN_FAILURES: '3',
    ...extra,
  }
  // One after the other: the first creates the schema.
  const a = await startServer(env)
  started.push(a)
  const b = await startServer({ ...env, MAILFRONT_DEMO: 'off' })
  started.push(b)
  return [a, b]
}

const rpc = async (s: Srv, method: string, params: unknown = '', session?: string) =>
  (
    await fetch(`${s.url}/v1/`, {
      method: 'POST',
      headers: session ? { 'HPLS-AUTH': session } : {},
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
    })
  ).json()
const grant = async (s: Srv) =>
  (
    await fetch(`${s.url}/oauth/token?grant_type=password`, {
      method: 'POST',
      headers: { Authorization: encodeBasic('demo-key', 'demo-secret') },
    })
  ).json()
const refresh = (s: Srv, token: string) =>
  fetch(`${s.url}/oauth/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  })

describe.skipIf(!pgUrl)(
  'two server processes on one PostgreSQL (skipped without MAILFRONT_TEST_PG_URL)',
  () => {
    let a: Srv
    let b: Srv
    beforeAll(async () => {
      await admin(`CREATE SCHEMA ${schema}`)
      ;[a, b] = await pair({})
    }, 90_000)
    afterAll(async () => {
      for (const s of started) s.child.kill('SIGKILL')
      await Promise.all(started.map((s) => s.exited))
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    })

    it('a mailbox.org session made on one works on the other, and deauth on either ends it on both', async () => {
      const session = (await rpc(a, 'auth', { user: 'test_account', pass: '123456' })).result.session
      expect((await rpc(b, 'hello.innerworld', '', session)).result).toBe('Hello Inner-World!')
      expect((await rpc(b, 'deauth', '', session)).result).toBe(true)
      expect((await rpc(a, 'hello.innerworld', '', session)).error.code).toBe(253)
      expect((await rpc(b, 'hello.innerworld', '', session)).error.code).toBe(253)
    })

    it('a refresh token revoked on one is dead on the other', async () => {
      const g = await grant(a)
      expect((await refresh(b, g.refresh_token)).status).toBe(200)
      const revoked = await fetch(`${b.url}/oauth/revoke`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${g.access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: g.refresh_token }),
      })
      expect(revoked.status).toBe(200)
      expect((await refresh(a, g.refresh_token)).status).toBe(403)
      expect((await refresh(b, g.refresh_token)).status).toBe(403)
    })

    it('concurrent grants and refreshes on both leave exactly one live refresh token', async () => {
      const first = await grant(a)
      const work = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 ? grant(i % 4 === 1 ? a : b) : refresh(i % 4 ? a : b, first.refresh_token),
        ),
      )
      const tokens = [
        first.refresh_token,
        ...work.filter((w) => 'refresh_token' in w).map((w) => w.refresh_token as string),
      ]
      const alive = (await Promise.all([...new Set(tokens)].map((t) => refresh(a, t)))).filter(
        (r) => r.status === 200,
      )
      expect(alive).toHaveLength(1)
    })

    it('holds the AuthSMTP limit across processes (store counters)', async () => {
      const auth = { headers: { Authorization: encodeBasic(USER, 'pair-api-password') } }
      const bodies = await Promise.all(
        [a, b, a, b, a, b].map(async (s) =>
          (await fetch(`${s.url}/restful/basic_user/${USER}`, auth)).text(),
        ),
      )
      expect(bodies.filter((t) => t.includes('<basic_user>'))).toHaveLength(1)
      expect(bodies.filter((t) => t.includes('<code>1</code>'))).toHaveLength(5)
    })

    it('50 concurrent creations of one tmail login over both processes: exactly one 201', async () => {
      const login = `race-${tag}@example.com`
      const res = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/users/${login}`, {
            method: 'POST',
            headers: { Authorization: encodeBasic('admin', 'admin'), 'Content-Type': 'application/json' },
            body: JSON.stringify({ Passwd: 'racepass', AuthRelay: true }),
          }),
        ),
      )
      const statuses = res.map((r) => r.status)
      expect(statuses.filter((s) => s === 201)).toHaveLength(1)
      expect(statuses.every((s) => s === 201 || (s >= 400 && s < 500))).toBe(true)
    })

    // Last on these two: it leaves the admin address throttled for a minute.
    it('counts login failures on one against the other (mailbox.org and tmail throttles)', async () => {
      // Wrong passwords alternate between the processes. With per-process counters each would allow
      // its own 3; shared, the refusal comes after 3 in all.
      const refusedAfter = async (attempt: (s: Srv) => Promise<boolean>) => {
        for (let i = 0; i < 8; i++) if (await attempt(i % 2 ? b : a)) return i
        return Number.POSITIVE_INFINITY
      }
      const rpcRefused = async (s: Srv) =>
        /too many failed logins/.test(
          (await rpc(s, 'auth', { user: 'test_account', pass: 'wrong' })).error.message,
        )
      expect(await refusedAfter(rpcRefused)).toBeLessThanOrEqual(3)
      const tmailRefused = async (s: Srv) =>
        (await fetch(`${s.url}/users`, { headers: { Authorization: encodeBasic('admin', 'wrong') } }))
          .status === 403
      expect(await refusedAfter(tmailRefused)).toBeLessThanOrEqual(3)
    })

    it.skipIf(!redisUrl)(
      'holds the AuthSMTP limit across processes with Redis counters',
      async () => {
        const [c, d] = await pair({ MAILFRONT_REDIS_URL: redisUrl! })
        const auth = { headers: { Authorization: encodeBasic(USER, 'pair-api-password') } }
        // A new window: the store counters above are not the ones Redis holds.
        const bodies = await Promise.all(
          [c, d, c, d].map(async (s) => (await fetch(`${s.url}/restful/basic_user/${USER}`, auth)).text()),
        )
        expect(bodies.filter((t) => t.includes('<basic_user>'))).toHaveLength(1)
        expect(bodies.filter((t) => t.includes('<code>1</code>'))).toHaveLength(3)
      },
      60_000,
    )
  },
)
