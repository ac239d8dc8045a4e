import { randomUUID } from 'node:crypto'
import {
  AmbiguousMatchError,
  assertWhere,
  type FindManyArgs,
  fieldDef,
  type ModelDef,
  type ModelSchema,
  modelOf,
  prepareCreate,
  prepareSet,
  type Row,
  type ScanArgs,
  type StorageAdapter,
  scanRows,
  selectedFields,
  type Where,
} from '@mailfront/core'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { quoteIdent, type SqlFlavor } from './ddl.ts'
import { migrateModels } from './migrate.ts'
import { uniqueFromError } from './unique-violation.ts'
import { fromDb, toDb } from './values.ts'
import { compileWhere } from './where-sql.ts'

interface Shared {
  flavor: SqlFlavor
  schema: ModelSchema
  id: string
  persistent?: boolean
  onClose: () => Promise<void>
  /** A synchronous single-row read on the same connection (SQLite), for point lookups. */
  fastGet?: (sql: string, params: unknown[]) => Record<string, unknown> | undefined
  /** A synchronous read of rows as arrays (SQLite raw mode), for `scanRaw`. */
  fastAllRaw?: (sql: string, params: unknown[]) => unknown[][]
  /** Told the whole schema whenever models are migrated (the driver may tune itself to it). */
  onSchema?: (schema: ModelSchema) => void
  /** Transactions in progress: the fast path stays off meanwhile, so it never reads their writes. */
  openTx: number
  /** PostgreSQL: how long a migration waits for another process's (see migrateModels). */
  migrationLockWaitMs?: number
}

/** The shared SQL adapter: every backend is a Kysely instance plus its flavour. */
export function kyselyAdapter(
  db: Kysely<any>,
  opts: {
    flavor: SqlFlavor
    id: string
    /** false: an in-memory database, gone with the process. */
    persistent?: boolean
    onClose?: () => Promise<void>
    fastGet?: (sql: string, params: unknown[]) => Record<string, unknown> | undefined
    fastAllRaw?: (sql: string, params: unknown[]) => unknown[][]
    onSchema?: (schema: ModelSchema) => void
    migrationLockWaitMs?: number
  },
): StorageAdapter {
  return build(
    db,
    {
      flavor: opts.flavor,
      schema: {},
      id: opts.id,
      ...(opts.persistent === false ? { persistent: false } : {}),
      onClose: opts.onClose ?? (() => db.destroy()),
      ...(opts.fastGet ? { fastGet: opts.fastGet } : {}),
      ...(opts.fastAllRaw ? { fastAllRaw: opts.fastAllRaw } : {}),
      ...(opts.onSchema ? { onSchema: opts.onSchema } : {}),
      ...(opts.migrationLockWaitMs === undefined ? {} : { migrationLockWaitMs: opts.migrationLockWaitMs }),
      openTx: 0,
    },
    false,
  )
}

function build(db: Kysely<any>, s: Shared, inTx: boolean): StorageAdapter {
  const { flavor } = s
  const T = (model: string) => sql.id(model)

  function whereSql(model: string, where: Where | undefined) {
    const def = modelOf(s.schema, model)
    if (!where) return sql`1=1`
    assertWhere(model, def, where)
    return compileWhere(flavor, def, where)
  }

  async function run(model: string, q: RawBuilder<unknown>): Promise<Row[]> {
    try {
      const res = await q.execute(db)
      const def = modelOf(s.schema, model)
      return (res.rows as Record<string, unknown>[]).map((r) => fromDb(def, r))
    } catch (e) {
      throw uniqueFromError(model, e) ?? e
    }
  }

  function assignments(def: ModelDef, set: Record<string, unknown>) {
    return Object.entries(set).map(([k, v]) => sql`${sql.id(k)} = ${toDb(flavor, def, k, v)}`)
  }

  /** The id of the one row matching `where` (null if none; throws if several). */
  async function singleId(model: string, where: Where): Promise<unknown> {
    const rows = await run(
      model,
      sql`SELECT ${sql.ref('id')} FROM ${T(model)} WHERE ${whereSql(model, where)} LIMIT 2`,
    )
    if (rows.length > 1) throw new AmbiguousMatchError(model)
    return rows[0]?.id ?? null
  }

  async function updateSingle(model: string, where: Where, sets: RawBuilder<unknown>[]): Promise<Row | null> {
    const id = await singleId(model, where)
    if (id === null) return null
    if (!sets.length)
      return (await run(model, sql`SELECT * FROM ${T(model)} WHERE ${sql.ref('id')} = ${id}`))[0] ?? null
    // Re-check the guard in the UPDATE itself: atomic under concurrent writers.
    const rows = await run(
      model,
      sql`UPDATE ${T(model)} SET ${sql.join(sets)} WHERE ${sql.ref('id')} = ${id} AND ${whereSql(model, where)} RETURNING *`,
    )
    return rows[0] ?? null
  }

  // One SQL text per model and key, made once: the driver keeps one prepared statement for each.
  const pointTexts = new Map<string, Map<string, string>>()
  function pointSql(model: string, field: string): string {
    let byField = pointTexts.get(model)
    if (!byField) {
      byField = new Map()
      pointTexts.set(model, byField)
    }
    let text = byField.get(field)
    if (text === undefined) {
      text = `SELECT * FROM ${quoteIdent(model)} WHERE ${quoteIdent(field)} = ? LIMIT 1`
      byField.set(field, text)
    }
    return text
  }

  const self: StorageAdapter = {
    id: s.id,
    ...(s.persistent === false ? { persistent: false } : {}),
    async migrate(models) {
      Object.assign(s.schema, models)
      s.onSchema?.(s.schema)
      await migrateModels(db, flavor, models, { lockWaitMs: s.migrationLockWaitMs })
    },
    async create({ model, data }) {
      const def = modelOf(s.schema, model)
      const row = prepareCreate(model, def, data)
      if (def.id !== 'serial') row.id ??= randomUUID()
      else if (row.id === undefined) delete row.id
      const keys = Object.keys(row)
      const rows = await run(
        model,
        sql`INSERT INTO ${T(model)} (${sql.join(keys.map((k) => sql.id(k)))}) VALUES (${sql.join(keys.map((k) => toDb(flavor, def, k, row[k])))}) RETURNING *`,
      )
      // An explicit id on PostgreSQL does not move the identity sequence: move it past the row.
      if (def.id === 'serial' && row.id !== undefined && flavor === 'postgres')
        await sql`SELECT setval(pg_get_serial_sequence(${model}, 'id'), GREATEST((SELECT MAX(${sql.ref('id')}) FROM ${T(model)}), 1))`.execute(
          db,
        )
      return rows[0] as never
    },
    async findOne({ model, where }) {
      // The commonest read, `field = value`: straight to the driver, skipping the query builder.
      if (
        s.fastGet &&
        (inTx || s.openTx === 0) &&
        'field' in where &&
        (where.op ?? 'eq') === 'eq' &&
        !where.ci
      ) {
        const def = modelOf(s.schema, model)
        assertWhere(model, def, where)
        if (where.value !== null && where.value !== undefined) {
          const raw = s.fastGet(pointSql(model, where.field), [toDb(flavor, def, where.field, where.value)])
          return (raw ? fromDb(def, raw) : null) as never
        }
      }
      const rows = await run(model, sql`SELECT * FROM ${T(model)} WHERE ${whereSql(model, where)} LIMIT 1`)
      return (rows[0] ?? null) as never
    },
    // SQLite, outside transactions: one prepared statement per column list, rows as arrays.
    ...(s.fastAllRaw && !inTx
      ? {
          async scanRaw(a: ScanArgs): Promise<unknown[][]> {
            const def = modelOf(s.schema, a.model)
            for (const c of a.columns) {
              const t = c === 'id' ? 'integer' : fieldDef(def, c)?.type
              if (t !== 'string' && t !== 'integer')
                throw new Error(`scanRaw: "${c}" on ${a.model} is not a string or integer field`)
            }
            // A transaction in progress on this connection: its writes must not be read.
            if (s.openTx > 0) return scanRows({ ...self, scanRaw: undefined }, a)
            const text = `SELECT ${a.columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(a.model)} WHERE "id" > ? ORDER BY "id" LIMIT ? OFFSET ?`
            return s.fastAllRaw!(text, [a.afterId ?? Number.MIN_SAFE_INTEGER, a.limit, a.offset ?? 0])
          },
        }
      : {}),
    async findMany({ model, where, sort, limit, offset, select }: FindManyArgs) {
      const def = modelOf(s.schema, model)
      const cols = select ? sql.join(selectedFields(model, def, select).map((f) => sql.ref(f))) : sql`*`
      const order = [...(sort ?? []), { field: 'id', dir: 'asc' as const }].map((o) => {
        if (!fieldDef(def, o.field)) throw new Error(`unknown sort field "${o.field}" on ${model}`)
        return sql`${sql.ref(o.field)} ${sql.raw(o.dir === 'desc' ? 'DESC' : 'ASC')}${sql.raw(flavor === 'postgres' ? (o.dir === 'desc' ? ' NULLS LAST' : ' NULLS FIRST') : '')}`
      })
      const lim = limit === undefined ? (offset ? sql` LIMIT -1` : sql``) : sql` LIMIT ${limit}`
      const pgLim = limit === undefined ? sql`` : sql` LIMIT ${limit}`
      const off = offset ? sql` OFFSET ${offset}` : sql``
      return (await run(
        model,
        sql`SELECT ${cols} FROM ${T(model)} WHERE ${whereSql(model, where)} ORDER BY ${sql.join(order)}${flavor === 'sqlite' ? lim : pgLim}${off}`,
      )) as never
    },
    async count({ model, where }) {
      const res = await sql<{
        n: unknown
      }>`SELECT COUNT(*) AS n FROM ${T(model)} WHERE ${whereSql(model, where)}`.execute(db)
      return Number(res.rows[0]?.n ?? 0)
    },
    async updateOne({ model, where, set }) {
      const def = modelOf(s.schema, model)
      return (await updateSingle(model, where, assignments(def, prepareSet(model, def, set)))) as never
    },
    async updateMany({ model, where, set }) {
      const def = modelOf(s.schema, model)
      const sets = assignments(def, prepareSet(model, def, set))
      if (!sets.length) return self.count({ model, where })
      const rows = await run(
        model,
        sql`UPDATE ${T(model)} SET ${sql.join(sets)} WHERE ${whereSql(model, where)} RETURNING ${sql.ref('id')}`,
      )
      return rows.length
    },
    async deleteOne({ model, where }) {
      const id = await singleId(model, where)
      if (id === null) return false
      const rows = await run(
        model,
        sql`DELETE FROM ${T(model)} WHERE ${sql.ref('id')} = ${id} AND ${whereSql(model, where)} RETURNING ${sql.ref('id')}`,
      )
      return rows.length === 1
    },
    async deleteMany({ model, where }) {
      const rows = await run(
        model,
        sql`DELETE FROM ${T(model)} WHERE ${whereSql(model, where)} RETURNING ${sql.ref('id')}`,
      )
      return rows.length
    },
    async increment({ model, where, by, set }) {
      const def = modelOf(s.schema, model)
      const patch = prepareSet(model, def, set ?? {})
      const sets = [
        ...assignments(def, patch),
        ...Object.entries(by).map(([k, d]) => {
          if (!def.fields[k]) throw new TypeError(`unknown field "${k}" on ${model}`)
          return sql`${sql.id(k)} = ${sql.ref(k)} + ${toDb(flavor, def, k, typeof d === 'bigint' ? d : BigInt(d))}`
        }),
      ]
      return (await updateSingle(model, where, sets)) as never
    },
    async truncate(models) {
      const names = models ?? Object.keys(s.schema)
      for (const m of names) modelOf(s.schema, m)
      if (!names.length) return
      if (flavor === 'postgres') {
        await sql`TRUNCATE ${sql.join(names.map((m) => T(m)))} RESTART IDENTITY`.execute(db)
        return
      }
      // SQLite has no TRUNCATE: DELETE without WHERE takes its fast path (drops the pages), one transaction.
      const seq = await sql<{
        n: number
      }>`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'`.execute(db)
      const work = async (d: Kysely<any>) => {
        for (const m of names) await sql`DELETE FROM ${T(m)}`.execute(d)
        if (Number(seq.rows[0]?.n))
          await sql`DELETE FROM sqlite_sequence WHERE name IN (${sql.join(names)})`.execute(d)
      }
      if (inTx) await work(db)
      else await db.transaction().execute(work)
    },
    async transaction(fn) {
      if (inTx) return fn(self)
      s.openTx++
      try {
        return await db.transaction().execute((trx) => fn(build(trx, s, true)))
      } finally {
        s.openTx--
      }
    },
    async ping() {
      await sql`SELECT 1`.execute(db)
    },
    async close() {
      if (!inTx) await s.onClose()
    },
  }
  return self
}
