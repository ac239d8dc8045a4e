import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ModelSchema, StorageAdapter } from '@mailfront/core'
import { rateLimitModels } from '@mailfront/core/host'
import { conformanceModels } from '@mailfront/core/testing'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { MIGRATION_LOCK_KEY, MIGRATIONS_TABLE, postgresAdapter, sqliteAdapter } from './index.ts'

const pgUrl = process.env.MAILFRONT_TEST_PG_URL
const N = 8

// Server-like: the core's rate-limit rows, the conformance models (uuid and serial ids, unique and
// composite indexes, every field type) and a dozen more tables, so the DDL takes a while.
const models: ModelSchema = { ...rateLimitModels, ...conformanceModels }
for (let i = 0; i < 12; i++)
  models[`mig_m${i}`] = {
    ...(i % 2 ? { id: 'serial' as const } : {}),
    fields: {
      key: { type: 'string', unique: true },
      owner: { type: 'string', index: true },
      at: { type: 'timestamp' },
      data: { type: 'json', optional: true },
    },
    indexes: [{ fields: ['owner', 'at'] }],
  }

/** A fresh schema on the test server (its URL, the schema as search_path) and a client to inspect it. */
async function freshSchema(tag: string) {
  const name = `mf_mig_${tag}_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${name}`)
  const u = new URL(pgUrl!)
  u.searchParams.set('options', `-c search_path=${name}`)
  return {
    name,
    url: u.toString(),
    admin,
    async tables(): Promise<string[]> {
      const r = await admin.query(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
        [name],
      )
      return r.rows.map((x) => x.relname)
    },
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)
      await admin.end()
    },
  }
}

/** Open N adapters and migrate them all at once: each one's outcome. */
async function startAtOnce(url: string, schema: ModelSchema, n = N) {
  const dbs: StorageAdapter[] = Array.from({ length: n }, () => postgresAdapter({ url, max: 2 }))
  try {
    const res = await Promise.allSettled(dbs.map((db) => db.migrate(schema)))
    return res.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as Error).message)))
  } finally {
    await Promise.all(dbs.map((db) => db.close()))
  }
}

describe('SQLite: connections migrating one file at once', () => {
  it(`${N} connections adding the same new column and index at once all succeed`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailfront-mig-'))
    const filename = join(dir, 'db.sqlite')
    const v1: ModelSchema = { mig_up: { fields: { name: { type: 'string' } } } }
    const v2: ModelSchema = {
      ...models,
      mig_up: { fields: { name: { type: 'string' }, tag: { type: 'string', index: true } } },
    }
    const first = sqliteAdapter({ filename })
    await first.migrate(v1)
    await first.close()
    // Each its own connection, as separate processes have: the transaction begins IMMEDIATE.
    const dbs = Array.from({ length: N }, () => sqliteAdapter({ filename, busyTimeoutMs: 10_000 }))
    try {
      const res = await Promise.allSettled(dbs.map((db) => db.migrate(v2)))
      expect(res.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as Error).message)))).toEqual(
        Array(N).fill('ok'),
      )
      await dbs[0]!.create({ model: 'mig_up', data: { name: 'n', tag: 't' } })
      expect(await dbs[1]!.findOne({ model: 'mig_up', where: { field: 'tag', value: 't' } })).toMatchObject({
        name: 'n',
      })
    } finally {
      await Promise.all(dbs.map((db) => db.close()))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

if (!pgUrl)
  console.log(
    '[storage-sql] concurrent migration on PostgreSQL skipped: MAILFRONT_TEST_PG_URL is not set (the race needs several server connections; PGlite has one)',
  )

describe.skipIf(!pgUrl)('PostgreSQL: instances starting at once on a new schema', () => {
  it(`${N} adapters migrating a new schema at once all succeed, and every table is made once`, async () => {
    const s = await freshSchema('new')
    try {
      expect(await startAtOnce(s.url, models)).toEqual(Array(N).fill('ok'))
      expect(await s.tables()).toEqual([...Object.keys(models), MIGRATIONS_TABLE].sort())
      const rec = await s.admin.query(
        `SELECT model, columns FROM ${s.name}.${MIGRATIONS_TABLE} ORDER BY model`,
      )
      expect(rec.rows).toEqual(
        Object.keys(models)
          .sort()
          .map((m) => ({ model: m, columns: JSON.stringify(Object.keys(models[m]!.fields)) })),
      )
      const idx = await s.admin.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1`, [
        s.name,
      ])
      // Per table: its primary key, one per unique or indexed field, one per composite index.
      const expected = Object.values(models).reduce(
        (n, d) =>
          n +
          1 +
          Object.values(d.fields).filter((f) => f.unique || f.index).length +
          (d.indexes?.length ?? 0),
        1, // the migrations table's primary key
      )
      expect(idx.rows[0].n).toBe(expected)
      // And a second round of starts, on the schema now made, changes nothing.
      expect(await startAtOnce(s.url, models)).toEqual(Array(N).fill('ok'))
      expect(await s.tables()).toEqual([...Object.keys(models), MIGRATIONS_TABLE].sort())
    } finally {
      await s.drop()
    }
  })

  it(`${N} adapters adding the same new column and index at once all succeed`, async () => {
    const s = await freshSchema('upgrade')
    const v1: ModelSchema = { mig_up: { fields: { name: { type: 'string' } } } }
    const v2: ModelSchema = {
      mig_up: { fields: { name: { type: 'string' }, tag: { type: 'string', index: true } } },
    }
    try {
      expect(await startAtOnce(s.url, v1, 1)).toEqual(['ok'])
      expect(await startAtOnce(s.url, v2)).toEqual(Array(N).fill('ok'))
      const cols = await s.admin.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'mig_up' ORDER BY ordinal_position`,
        [s.name],
      )
      expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'name', 'tag'])
      const rec = await s.admin.query(
        `SELECT columns FROM ${s.name}.${MIGRATIONS_TABLE} WHERE model = 'mig_up'`,
      )
      expect(rec.rows).toEqual([{ columns: '["name","tag"]' }])
    } finally {
      await s.drop()
    }
  })

  it('a start waits for the lock only so long, then says why; the lock ends with its transaction', async () => {
    const s = await freshSchema('held')
    const holder = new pg.Client({ connectionString: pgUrl })
    await holder.connect()
    const db = postgresAdapter({ url: s.url, max: 2, migrationLockWaitMs: 200 })
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
      await expect(db.migrate(models)).rejects.toThrow(
        `another process has been changing the database schema for 200 ms (PostgreSQL advisory lock ${MIGRATION_LOCK_KEY}): is another mailfront instance stuck while starting?`,
      )
      expect(await s.tables()).toEqual([])
      await holder.query('ROLLBACK')
      await db.migrate(models)
      expect(await s.tables()).toEqual([...Object.keys(models), MIGRATIONS_TABLE].sort())
    } finally {
      await db.close()
      await holder.end()
      await s.drop()
    }
  })

  it("a statement_timeout set for requests does not cut short the wait for another's migration", async () => {
    const s = await freshSchema('stmt')
    const u = new URL(s.url)
    u.searchParams.set('options', `${u.searchParams.get('options')} -c statement_timeout=50`)
    const holder = new pg.Client({ connectionString: pgUrl })
    await holder.connect()
    const db = postgresAdapter({ url: u.toString(), max: 2 })
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
      let settled = false
      const migrating = db.migrate(models).finally(() => {
        settled = true
      })
      migrating.catch(() => {})
      // Until the migration waits on the lock, then well past the server's 50 ms (a real server
      // timeout: no clock to move).
      const key = BigInt(MIGRATION_LOCK_KEY)
      const waiting = async () =>
        (
          await holder.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2`,
            [String(key >> 32n), String(key & 0xffffffffn)],
          )
        ).rows[0].n
      while (!settled && (await waiting()) === 0) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 300))
      await holder.query('COMMIT')
      await migrating
      expect(await s.tables()).toEqual([...Object.keys(models), MIGRATIONS_TABLE].sort())
    } finally {
      await db.close()
      await holder.end()
      await s.drop()
    }
  })

  it('a migration that fails leaves nothing behind and does not keep the lock', async () => {
    const s = await freshSchema('fail')
    const v1: ModelSchema = { mig_dup: { fields: { v: { type: 'string' } } } }
    // A new table first, then a unique index the rows already break.
    const v2: ModelSchema = {
      mig_new: { fields: { name: { type: 'string' } } },
      mig_dup: { fields: { v: { type: 'string', unique: true } } },
    }
    const a = postgresAdapter({ url: s.url, max: 2 })
    const b = postgresAdapter({ url: s.url, max: 2, migrationLockWaitMs: 5_000 })
    try {
      await a.migrate(v1)
      await a.create({ model: 'mig_dup', data: { v: 'same' } })
      await a.create({ model: 'mig_dup', data: { v: 'same' } })
      await expect(a.migrate(v2)).rejects.toThrow(/could not create unique index "mig_dup__v_uq"/)
      expect(await s.tables()).toEqual([MIGRATIONS_TABLE, 'mig_dup'].sort())
      // Another instance is not kept waiting by the failed one.
      await b.migrate({ mig_other: { fields: { name: { type: 'string' } } } })
      expect(await s.tables()).toEqual([MIGRATIONS_TABLE, 'mig_dup', 'mig_other'].sort())
    } finally {
      await a.close()
      await b.close()
      await s.drop()
    }
  })
})
