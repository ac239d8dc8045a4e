import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StoreUnavailableError } from '@mailfront/core'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { sqliteAdapter } from './index.ts'

const models = { t_busy: { fields: { name: { type: 'string' as const } } } }
const dir = mkdtempSync(join(tmpdir(), 'mailfront-busy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function locked(name: string, waitMs: number) {
  const file = join(dir, name)
  const db = sqliteAdapter({ filename: file, busyTimeoutMs: waitMs })
  await db.migrate(models)
  await db.create({ model: 't_busy', data: { name: 'before' } })
  const other = new Database(file)
  other.exec('BEGIN EXCLUSIVE')
  const release = () => {
    other.exec('ROLLBACK')
    other.close()
  }
  return { db, release }
}

describe('SQLite: a lock held by another connection', () => {
  it('a write waits on timers, not in the driver: the event loop runs, and the write lands once the lock goes', async () => {
    const { db, release } = await locked('wait.db', 10_000)
    const t0 = Date.now()
    let ticks = 0
    const ticker = setInterval(() => ticks++, 5)
    const write = db.create({ model: 't_busy', data: { name: 'during' } })
    const tx = db.transaction(async (t) => {
      const row = await t.create<{ id: string; name: string }>({
        model: 't_busy',
        data: { name: 'in a transaction' },
      })
      return row.name
    })
    // Reads go on (WAL) while the writers wait.
    expect(await db.count({ model: 't_busy' })).toBe(1)
    await new Promise((r) => setTimeout(r, 300))
    // This timer could fire only because nothing blocked the loop; it releases the lock.
    release()
    expect((await write).name).toBe('during')
    expect(await tx).toBe('in a transaction')
    clearInterval(ticker)
    console.log(`[sqlite-busy] ${ticks} timer ticks of 5 ms while the writes waited ${Date.now() - t0} ms`)
    expect(ticks).toBeGreaterThan(10)
    expect(
      (await db.findMany<{ id: string; name: string }>({ model: 't_busy' })).map((r) => r.name).sort(),
    ).toEqual(['before', 'during', 'in a transaction'])
    await db.close()
  })

  it('past the wait a call is StoreUnavailableError; later calls under the same lock do not wait again', async () => {
    const { db, release } = await locked('outage.db', 300)
    const t0 = Date.now()
    const first = await db.create({ model: 't_busy', data: { name: 'x' } }).catch((e) => e)
    const firstMs = Date.now() - t0
    expect(first).toBeInstanceOf(StoreUnavailableError)
    expect(first.cause.code).toBe('SQLITE_BUSY')
    const t1 = Date.now()
    const second = await db
      .transaction((t) => t.create({ model: 't_busy', data: { name: 'y' } }))
      .catch((e) => e)
    const secondMs = Date.now() - t1
    expect(second).toBeInstanceOf(StoreUnavailableError)
    console.log(
      `[sqlite-busy] first call refused after ${firstMs} ms, the next under the same lock after ${secondMs} ms`,
    )
    release()
    expect((await db.create({ model: 't_busy', data: { name: 'after' } })).name).toBe('after')
    expect(await db.count({ model: 't_busy' })).toBe(2)
    await db.close()
  })

  it('a transaction whose function has started is not run twice', async () => {
    const file = join(dir, 'once.db')
    const db = sqliteAdapter({ filename: file, busyTimeoutMs: 10_000 })
    await db.migrate(models)
    const other = new Database(file)
    let runs = 0
    const err = await db
      .transaction(async (t) => {
        runs++
        // The lock is taken by another connection after BEGIN IMMEDIATE has succeeded: impossible
        // for a write lock, so a SQLITE_BUSY from inside the function is simulated.
        await t.count({ model: 't_busy' })
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
      })
      .catch((e) => e)
    expect(runs).toBe(1)
    expect(err).toBeInstanceOf(StoreUnavailableError)
    other.close()
    await db.close()
  })
})
