import type { StorageAdapter } from '@mailfront/core'
import type Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { kyselyAdapter } from './adapter.ts'
import { betterSqlite3, pg, pglite } from './drivers.ts'
import { PGliteDialect } from './pglite-dialect.ts'
import { waitingForLocks } from './sqlite-busy.ts'
import { cachingDatabase } from './statement-cache.ts'
import { connectError, reportingOutages } from './unavailable.ts'

export { kyselyAdapter } from './adapter.ts'
export { MIGRATION_LOCK_KEY, MIGRATIONS_TABLE } from './migrate.ts'
export { PGliteDialect } from './pglite-dialect.ts'
export { isStoreOutage, reportingOutages } from './unavailable.ts'

export interface StoreOptions {
  /** A connection of the pool died while idle or between queries (logged; the pool drops it). */
  onConnectionError?: (err: Error) => void
}

/** SQLite through better-sqlite3: the embedded default. WAL for files; 64-bit integers kept exact. */
export function sqliteAdapter(opts: {
  filename: string
  /** How long a call waits for another process's lock before it is an outage (default 1 s). */
  busyTimeoutMs?: number
}): StorageAdapter {
  const Sqlite = betterSqlite3()
  const database = new Sqlite(opts.filename)
  database.defaultSafeIntegers(true)
  if (opts.filename !== ':memory:') {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL')
  }
  // Never wait inside a call (it would block the event loop): waitingForLocks waits on timers.
  database.pragma('busy_timeout = 0')
  database.pragma('foreign_keys = ON')
  // 64-bit integers come back as BigInt only from tables that have a bigint field: making a BigInt
  // for every integer column and converting it back costs a large share of a long list.
  let bigTables: string[] = []
  const safeIntegers = (text: string) => bigTables.some((t) => text.includes(`"${t}"`))
  const cached = cachingDatabase(database, { safeIntegers })
  const rawStatements = new Map<string, Database.Statement>()
  const pointStatements = new Map<string, Database.Statement>()
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: cached }) })
  const adapter = kyselyAdapter(db, {
    flavor: 'sqlite',
    id: opts.filename === ':memory:' ? 'sqlite-memory' : 'sqlite',
    persistent: opts.filename !== ':memory:',
    // Point reads: a prepared statement per model and key, kept apart (no LRU refresh per call).
    fastGet: (text, params) => {
      let st = pointStatements.get(text)
      if (!st) {
        st = database.prepare(text)
        st.safeIntegers(safeIntegers(text))
        pointStatements.set(text, st)
      }
      return st.get(...params) as never
    },
    // Raw statements are kept apart from the cache Kysely uses (raw mode is a statement's state).
    fastAllRaw: (text, params) => {
      let st = rawStatements.get(text)
      if (!st) {
        st = database.prepare(text).raw(true)
        st.safeIntegers(safeIntegers(text))
        rawStatements.set(text, st)
      }
      return st.all(...params) as unknown[][]
    },
    onSchema(schema) {
      bigTables = Object.entries(schema)
        .filter(([, def]) => Object.values(def.fields).some((f) => f.type === 'bigint'))
        .map(([name]) => name)
      cached.clear() // statements prepared before keep their old integer mode
      rawStatements.clear()
      pointStatements.clear()
    },
  })
  // A call waits this long (asynchronously) for another process's lock; after it, SQLITE_BUSY is an
  // outage (a 503 with Retry-After).
  return reportingOutages(waitingForLocks(adapter, Math.max(0, opts.busyTimeoutMs ?? 1000)), 'sqlite')
}

/**
 * PostgreSQL through pg (a pool): the scale-out store. A connection that dies (server restart,
 * failover, pg_terminate_backend, an idle reaper) is dropped by the pool and never reused; the next
 * query opens a new one, so service comes back by itself. While the server cannot be reached, calls
 * fail with StoreUnavailableError (a 503). The connections carry `application_name=mailfront` unless
 * the URL names one. Instances starting at once change the schema in turn (an advisory lock): a start
 * waits up to `migrationLockWaitMs` (default 5 min) for another's, then fails saying so.
 */
export function postgresAdapter(
  opts: { url: string; max?: number; migrationLockWaitMs?: number } & StoreOptions,
): StorageAdapter {
  const named = new URL(opts.url).searchParams.has('application_name')
  const pool = new (pg().Pool)({
    connectionString: opts.url,
    max: opts.max ?? 10,
    ...(named ? {} : { application_name: 'mailfront' }),
    // Fail a request after 5 s without a connection rather than hang it.
    connectionTimeoutMillis: 5_000,
  })
  const report = (err: Error) => opts.onConnectionError?.(err)
  // Without these listeners a connection killed while idle (the pool's 'error') or while checked out
  // between queries (the client's 'error') is an unhandled 'error' event: the process would exit.
  pool.on('error', report)
  pool.on('connect', (client) => client.on('error', report))
  // Errors raised while opening a connection are marked: there a refused login or a database that
  // does not accept connections means the store is unavailable, not that a query was wrong.
  const connecting = {
    connect: () => pool.connect().catch((e: unknown) => Promise.reject(connectError(e))),
    end: () => pool.end(),
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: connecting }) })
  return reportingOutages(
    kyselyAdapter(db, {
      flavor: 'postgres',
      id: 'postgres',
      ...(opts.migrationLockWaitMs === undefined ? {} : { migrationLockWaitMs: opts.migrationLockWaitMs }),
    }),
    'postgres',
  )
}

/** PostgreSQL embedded in WASM (PGlite): PostgreSQL semantics in tests without a server. */
export async function pgliteAdapter(opts: { dataDir?: string } = {}): Promise<StorageAdapter> {
  const { PGlite } = await pglite()
  const instance = new PGlite(opts.dataDir)
  await instance.waitReady
  const db = new Kysely<any>({ dialect: new PGliteDialect(instance) })
  // No directory: PGlite keeps the database in memory, gone with the process.
  return kyselyAdapter(db, { flavor: 'postgres', id: 'pglite', persistent: !!opts.dataDir })
}

/** Open a store from a URL: `sqlite:PATH`, `sqlite::memory:`, `memory:`, `postgres://…`. */
export async function openStorage(url: string, opts: StoreOptions = {}): Promise<StorageAdapter> {
  if (url === 'memory:') return (await import('@mailfront/core')).memoryAdapter()
  if (url.startsWith('sqlite:')) return sqliteAdapter({ filename: url.slice('sqlite:'.length) })
  if (/^postgres(ql)?:\/\//.test(url)) return postgresAdapter({ url, ...opts })
  if (url === 'pglite:' || url.startsWith('pglite:'))
    return pgliteAdapter({ dataDir: url.slice(7) || undefined })
  throw new Error(`unsupported database URL "${url.replace(/\/\/[^@]*@/, '//***@')}"`)
}
