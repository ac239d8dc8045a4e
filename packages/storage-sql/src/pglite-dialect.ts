import type { PGlite } from '@electric-sql/pglite'
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'

// PGlite has one connection: queries and transactions take turns through this lock.
class Mutex {
  private tail: Promise<void> = Promise.resolve()
  lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((r) => {
      release = r
    })
    const prev = this.tail
    this.tail = prev.then(() => next)
    return prev.then(() => release)
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.pg.query<R>(q.sql, q.parameters as unknown[])
    return {
      rows: res.rows,
      numAffectedRows: res.affectedRows === undefined ? undefined : BigInt(res.affectedRows),
    }
  }
  // biome-ignore lint/correctness/useYield: streaming is not supported by PGlite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite')
  }
}

class PGliteDriver implements Driver {
  private readonly mutex = new Mutex()
  private readonly releases = new WeakMap<DatabaseConnection, () => void>()
  private readonly conn: PGliteConnection
  constructor(private readonly pg: PGlite) {
    this.conn = new PGliteConnection(pg)
  }
  async init() {}
  async acquireConnection() {
    const release = await this.mutex.lock()
    const c = new PGliteConnection(this.pg)
    this.releases.set(c, release)
    return c
  }
  async beginTransaction(c: DatabaseConnection, _s: TransactionSettings) {
    await c.executeQuery({ sql: 'begin', parameters: [] } as unknown as CompiledQuery)
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery({ sql: 'commit', parameters: [] } as unknown as CompiledQuery)
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery({ sql: 'rollback', parameters: [] } as unknown as CompiledQuery)
  }
  async releaseConnection(c: DatabaseConnection) {
    this.releases.get(c)?.()
  }
  async destroy() {
    void this.conn
    await this.pg.close()
  }
}

/** A Kysely dialect over an embedded PGlite (PostgreSQL in WASM), for tests without a server. */
export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver() {
    return new PGliteDriver(this.pg)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db)
  }
}
