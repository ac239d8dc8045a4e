import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// Races on one instance over a real SQLite file (the two-process races on PostgreSQL are in
// test/scale-out-processes.test.ts). Already proven elsewhere and not repeated here: exactly N
// racing guarded increments pass on every adapter (core conformance suite), exactly max consumes
// pass on the memory, store and Redis rate-limit stores (core ratelimit test), and tmail pays one
// slow hash for 50 concurrent first requests (plugin-tmail test).

let rt: Runtime
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-race-'))
  rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATA_DIR: dir,
      MAILFRONT_DATABASE_URL: `sqlite:${join(dir, 'race.db')}`,
      MAILFRONT_SECRET: 'r'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '60',
    }),
    silentLogger,
  )
  await loadStartupFixtures(rt)
}, 30_000)
afterAll(() => rt.close())

async function slowHashes(plugin: string): Promise<number> {
  const text = await (await rt.app.request('/metrics')).text()
  const m = text.match(new RegExp(`^mailfront_slow_hashes_total\\{plugin="${plugin}"\\} (\\d+)$`, 'm'))
  return m ? Number(m[1]) : 0
}

describe('races on one instance (SQLite)', () => {
  it('50 concurrent creations of one tmail login: exactly one 201, one row', async () => {
    const res = await Promise.all(
      Array.from({ length: 50 }, () =>
        rt.app.request('/users/race@example.com', {
          method: 'POST',
          headers: { Authorization: encodeBasic('admin', 'admin'), 'Content-Type': 'application/json' },
          body: JSON.stringify({ Passwd: 'racepass', AuthRelay: true }),
        }),
      ),
    )
    const statuses = res.map((r) => r.status)
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.every((s) => s === 201 || (s >= 400 && s < 500))).toBe(true)
    const users = (await (
      await rt.app.request('/users', { headers: { Authorization: encodeBasic('admin', 'admin') } })
    ).json()) as { Login: string }[]
    expect(users.filter((u) => u.Login === 'race@example.com')).toHaveLength(1)
  }, 60_000)

  it('concurrent password grants and refreshes leave exactly one live refresh token', async () => {
    const grant = async () =>
      (
        await rt.app.request('/oauth/token?grant_type=password', {
          method: 'POST',
          headers: { Authorization: encodeBasic('demo-key', 'demo-secret') },
        })
      ).json()
    const refresh = async (token: string): Promise<Response> =>
      rt.app.request('/oauth/token?grant_type=refresh_token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      })
    const first = await grant()
    const work = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? grant()
          : refresh(first.refresh_token).then((r) => r.json() as Promise<{ refresh_token: string }>),
      ),
    )
    const tokens = new Set([
      first.refresh_token,
      ...work.map((w: { refresh_token: string }) => w.refresh_token),
    ])
    const alive = (await Promise.all([...tokens].map((t) => refresh(t)))).filter((r) => r.status === 200)
    expect(alive).toHaveLength(1)
  })

  it('a rate limit of N allows exactly N under a burst (AuthSMTP, one call per window)', async () => {
    const auth = { headers: { Authorization: encodeBasic('aa99999', 'demo-api-password-2') } }
    const bodies = await Promise.all(
      Array.from({ length: 30 }, async () =>
        (await rt.app.request('/restful/basic_user/aa99999', auth)).text(),
      ),
    )
    expect(bodies.filter((b) => b.includes('<basic_user>'))).toHaveLength(1)
    expect(bodies.filter((b) => b.includes('<code>1</code>'))).toHaveLength(29)
  })

  it('the storage rate-limit store on SQLite lets exactly N of a burst through', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => rt.rateLimits.consume('race:burst', { windowMs: 60_000, max: 7 })),
    )
    expect(results.filter((r) => r.allowed)).toHaveLength(7)
  })

  it('one slow hash for 50 concurrent first requests with one AuthSMTP credential', async () => {
    const before = await slowHashes('authsmtp')
    const auth = { headers: { Authorization: encodeBasic('aa12345', 'demo-api-password') } }
    const res = await Promise.all(
      Array.from({ length: 50 }, () => rt.app.request('/restful/basic_user/aa12345', auth)),
    )
    // 200 each: one with the data, the others the rate-limit error object (the seed's 200 + XML).
    expect(res.every((r) => r.status === 200)).toBe(true)
    expect((await slowHashes('authsmtp')) - before).toBe(1)
  })
})
