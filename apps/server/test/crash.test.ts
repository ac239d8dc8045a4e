import { join } from 'node:path'
import { encodeBasic } from '@mailfront/core'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_SECRETS, logLines, type ServerProcess, startServer } from './server-process.ts'

// kill -9 in the middle of acknowledged writes on SQLite: after a restart every write that was
// answered 201 is there, and the database passes PRAGMA integrity_check.

const ROUNDS = 3
const IN_FLIGHT = 8
const WRITE_MS = 1500
const env = { MAILFRONT_TLS: 'off', MAILFRONT_REQUIRE_HTTPS: 'false', MAILFRONT_SMTPD_CALLS_PER_MIN: '0' }

let srv: (ServerProcess & { dataDir: string }) | undefined
afterAll(() => {
  srv?.child.kill('SIGKILL')
})

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token?grant_type=password`, {
    method: 'POST',
    headers: { Authorization: encodeBasic('jack.truong@example.com', 'demo-password') },
  })
  return (await res.json()).access_token
}

describe('faults: kill -9 during acknowledged writes (SQLite)', () => {
  it(`keeps every acknowledged write over ${ROUNDS} kills, and the file stays intact`, async () => {
    srv = await startServer(env)
    const dataDir = srv.dataDir
    const acknowledged: string[] = []
    let attempted = 0
    let lost = 0
    const logs: string[] = []
    const tokens: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const url = srv.url
      const access = await token(url)
      tokens.push(access)
      const bearer = { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' }
      let killed = false
      const writer = async (w: number) => {
        for (let i = 0; !killed; i++) {
          attempted++
          try {
            const res = await fetch(`${url}/api/v1/account/api_key`, {
              method: 'POST',
              headers: bearer,
              body: JSON.stringify({ name: `crash-${round}-${w}-${i}`, role: 'standard' }),
            })
            if (res.status === 201) acknowledged.push((await res.json()).ID)
            else expect(res.status).toBe(201)
          } catch {
            // The connection died with the process: this write was never acknowledged.
          }
        }
      }
      const writers = Array.from({ length: IN_FLIGHT }, (_, w) => writer(w))
      await new Promise((r) => setTimeout(r, WRITE_MS))
      logs.push(logLines(srv.output()))
      srv.child.kill('SIGKILL')
      killed = true
      await srv.exited
      await Promise.all(writers)
      // Before any restart: the file as the crash left it (SQLite replays the WAL on open).
      const db = new Database(join(dataDir, 'mailfront.db'))
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
      srv = await startServer(env, dataDir)
      const list = JSON.stringify(
        await (
          await fetch(`${srv.url}/api/v1/account/api_key`, {
            headers: { Authorization: `Bearer ${await token(srv.url)}` },
          })
        ).json(),
      )
      lost = acknowledged.filter((id) => !list.includes(id)).length
      expect(lost).toBe(0)
    }
    console.log(
      `kill -9: ${ROUNDS} kills, ${attempted} writes attempted, ${acknowledged.length} acknowledged, ${lost} lost; integrity_check ok each time`,
    )
    expect(acknowledged.length).toBeGreaterThan(ROUNDS * 10)
    const log = logs.join('\n')
    expect([...DEMO_SECRETS, ...tokens].filter((s) => log.includes(s))).toEqual([])
  }, 120_000)
})
