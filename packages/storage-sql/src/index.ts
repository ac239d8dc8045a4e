import type { StorageAdapter } from '@mailfront/core'
import type Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { kyselyAdapter } from './adapter.ts'
import { betterSqlite3, pg, pglite } from './drivers.ts'
import { PGliteDialect } from './pglite-dialect.ts'
import { cachingDatabase } from './statement-cache.ts'

export { kyselyAdapter, MIGRATIONS_TABLE } from './adapter.ts'
export { PGliteDialect } from './pglite-dialect.ts'

/** SQLite through better-sqlite3: the embedded default. WAL for files; 64-bit integers kept exact. */
export function sqliteAdapter(opts: { filename: string }): StorageAdapter {
  const Sqlite = betterSqlite3()
  const database = new Sqlite(opts.filename)
  database.defaultSafeIntegers(true)
  if (opts.filename !== ':memory:') {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL')
  }
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  // 64-bit integers come back as BigInt only from tables that have a bigint field: making a BigInt
  // for every integer column and converting it back costs a large share of a long list.
  let bigTables: string[] = []
  const safeIntegers = (text: string) => bigTables.some((t) => text.includes(`"${t}"`))
  const cached = cachingDatabase(database, { safeIntegers })
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: cached }) })
  return kyselyAdapter(db, {
    flavor: 'sqlite',
    id: opts.filename === ':memory:' ? 'sqlite-memory' : 'sqlite',
    fastGet: (text, params) =>
      (cached.prepare(text) as unknown as Database.Statement).get(...params) as never,
    onSchema(schema) {
      bigTables = Object.entries(schema)
        .filter(([, def]) => Object.values(def.fields).some((f) => f.type === 'bigint'))
        .map(([name]) => name)
      cached.clear() // statements prepared before keep their old integer mode
    },
  })
}

/** PostgreSQL through pg (a pool): the scale-out store. */
export function postgresAdapter(opts: { url: string; max?: number }): StorageAdapter {
  const pool = new (pg().Pool)({ connectionString: opts.url, max: opts.max ?? 10 })
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  return kyselyAdapter(db, { flavor: 'postgres', id: 'postgres' })
}

/** PostgreSQL embedded in WASM (PGlite): PostgreSQL semantics in tests without a server. */
export async function pgliteAdapter(opts: { dataDir?: string } = {}): Promise<StorageAdapter> {
  const { PGlite } = await pglite()
  const instance = new PGlite(opts.dataDir)
  await instance.waitReady
  const db = new Kysely<any>({ dialect: new PGliteDialect(instance) })
  return kyselyAdapter(db, { flavor: 'postgres', id: 'pglite' })
}

/** Open a store from a URL: `sqlite:PATH`, `sqlite::memory:`, `memory:`, `postgres://…`. */
export async function openStorage(url: string): Promise<StorageAdapter> {
  if (url === 'memory:') return (await import('@mailfront/core')).memoryAdapter()
  if (url.startsWith('sqlite:')) return sqliteAdapter({ filename: url.slice('sqlite:'.length) })
  if (/^postgres(ql)?:\/\//.test(url)) return postgresAdapter({ url })
  if (url === 'pglite:' || url.startsWith('pglite:'))
    return pgliteAdapter({ dataDir: url.slice(7) || undefined })
  throw new Error(`unsupported database URL "${url.replace(/\/\/[^@]*@/, '//***@')}"`)
}
