import { randomUUID } from 'node:crypto'
import {
  AmbiguousMatchError,
  assertWhere,
  type FindManyArgs,
  fieldDef,
  type ModelDef,
  type ModelSchema,
  modelOf,
  parseJson,
  prepareCreate,
  prepareSet,
  type Row,
  type ScanArgs,
  type StorageAdapter,
  scanRows,
  stringifyJson,
  UniqueViolationError,
  type Where,
} from '@mailfront/core'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { addColumnSql, createTableSql, indexSqls, quoteIdent, type SqlFlavor } from './ddl.ts'

export const MIGRATIONS_TABLE = 'mailfront_migrations'

interface Shared {
  flavor: SqlFlavor
  schema: ModelSchema
  id: string
  onClose: () => Promise<void>
  /** A synchronous single-row read on the same connection (SQLite), for point lookups. */
  fastGet?: (sql: string, params: unknown[]) => Record<string, unknown> | undefined
  /** A synchronous read of rows as arrays (SQLite raw mode), for `scanRaw`. */
  fastAllRaw?: (sql: string, params: unknown[]) => unknown[][]
  /** Told the whole schema whenever models are migrated (the driver may tune itself to it). */
  onSchema?: (schema: ModelSchema) => void
  /** Transactions in progress: the fast path stays off meanwhile, so it never reads their writes. */
  openTx: number
}

function toDb(flavor: SqlFlavor, def: ModelDef, name: string, v: unknown): unknown {
  if (v === null || v === undefined) return null
  const f = fieldDef(def, name)
  if (f?.type === 'json') return stringifyJson(v)
  if (f?.type === 'boolean' && flavor === 'sqlite') return v ? 1 : 0
  if (typeof v === 'bigint' && flavor === 'postgres') return v.toString()
  return v
}

type Convert = (v: unknown) => unknown
const CONVERT: Record<string, Convert> = {
  integer: (v) => Number(v),
  timestamp: (v) => Number(v),
  bigint: (v) => BigInt(v as string | number | bigint),
  boolean: (v) => v === true || v === 1 || v === 1n || v === 't',
  json: (v) => parseJson(String(v)),
}
// Per model, the conversion of each column, worked out once: rows are converted in bulk (lists).
const converters = new WeakMap<ModelDef, Map<string, Convert | null>>()

function fromDb(def: ModelDef, raw: Record<string, unknown>): Row {
  let conv = converters.get(def)
  if (!conv) {
    conv = new Map()
    converters.set(def, conv)
  }
  const out: Record<string, unknown> = {}
  for (const k in raw) {
    const v = raw[k]
    let c = conv.get(k)
    if (c === undefined) {
      const f = fieldDef(def, k)
      c = (f && CONVERT[f.type]) || null
      conv.set(k, c)
    }
    out[k] = v === null || v === undefined ? null : c ? c(v) : v
  }
  return out as Row
}

function uniqueFromError(model: string, e: unknown): UniqueViolationError | null {
  const err = e as { code?: string; message?: string; detail?: string }
  if (err?.code === '23505') {
    const m = /Key \(([^)]+)\)/.exec(err.detail ?? '')
    return new UniqueViolationError(
      model,
      m ? m[1]!.split(',').map((s) => s.trim().replace(/"/g, '')) : [],
      e,
    )
  }
  if (typeof err?.code === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(err.code)) {
    const m = /failed: (.*)$/.exec(err.message ?? '')
    const fields = m ? m[1]!.split(',').map((s) => s.trim().split('.').pop()!) : []
    return new UniqueViolationError(model, fields, e)
  }
  return null
}

/** The shared SQL adapter: every backend is a Kysely instance plus its flavour. */
export function kyselyAdapter(
  db: Kysely<any>,
  opts: {
    flavor: SqlFlavor
    id: string
    onClose?: () => Promise<void>
    fastGet?: (sql: string, params: unknown[]) => Record<string, unknown> | undefined
    fastAllRaw?: (sql: string, params: unknown[]) => unknown[][]
    onSchema?: (schema: ModelSchema) => void
  },
): StorageAdapter {
  return build(
    db,
    {
      flavor: opts.flavor,
      schema: {},
      id: opts.id,
      onClose: opts.onClose ?? (() => db.destroy()),
      ...(opts.fastGet ? { fastGet: opts.fastGet } : {}),
      ...(opts.fastAllRaw ? { fastAllRaw: opts.fastAllRaw } : {}),
      ...(opts.onSchema ? { onSchema: opts.onSchema } : {}),
      openTx: 0,
    },
    false,
  )
}

function build(db: Kysely<any>, s: Shared, inTx: boolean): StorageAdapter {
  const { flavor } = s
  const T = (model: string) => sql.id(model)

  function col(name: string) {
    return sql.ref(name)
  }

  function compile(model: string, def: ModelDef, w: Where): RawBuilder<unknown> {
    if ('and' in w)
      return w.and.length
        ? sql`(${sql.join(
            w.and.map((c) => compile(model, def, c)),
            sql` AND `,
          )})`
        : sql`1=1`
    if ('or' in w)
      return w.or.length
        ? sql`(${sql.join(
            w.or.map((c) => compile(model, def, c)),
            sql` OR `,
          )})`
        : sql`1=0`
    const c = w.ci ? sql`lower(${col(w.field)})` : col(w.field)
    const val = (v: unknown) => {
      const x = toDb(flavor, def, w.field, v)
      return w.ci && typeof x === 'string' ? sql`lower(${x})` : sql`${x}`
    }
    const op = w.op ?? 'eq'
    if (op === 'eq' && w.value === null) return sql`${col(w.field)} IS NULL`
    if (op === 'ne' && w.value === null) return sql`${col(w.field)} IS NOT NULL`
    switch (op) {
      case 'eq':
        return sql`${c} = ${val(w.value)}`
      case 'ne':
        return flavor === 'sqlite'
          ? sql`${c} IS NOT ${val(w.value)}`
          : sql`${c} IS DISTINCT FROM ${val(w.value)}`
      case 'lt':
        return sql`${c} < ${val(w.value)}`
      case 'lte':
        return sql`${c} <= ${val(w.value)}`
      case 'gt':
        return sql`${c} > ${val(w.value)}`
      case 'gte':
        return sql`${c} >= ${val(w.value)}`
      case 'in':
      case 'not_in': {
        const list = w.value as unknown[]
        if (!list.length) return op === 'in' ? sql`1=0` : sql`1=1`
        const inner = sql`${c} IN (${sql.join(list.map(val))})`
        return op === 'in' ? inner : sql`(${c} IS NULL OR NOT ${inner})`
      }
      case 'contains':
        return flavor === 'sqlite'
          ? sql`instr(${c}, ${val(w.value)}) > 0`
          : sql`strpos(${c}, ${val(w.value)}) > 0`
      case 'starts_with':
        return sql`substr(${c}, 1, length(${val(w.value)})) = ${val(w.value)}`
      case 'ends_with':
        return flavor === 'sqlite'
          ? sql`substr(${c}, -length(${val(w.value)})) = ${val(w.value)}`
          : sql`right(${c}, length(${val(w.value)})) = ${val(w.value)}`
    }
  }

  function whereSql(model: string, where: Where | undefined) {
    const def = modelOf(s.schema, model)
    if (!where) return sql`1=1`
    assertWhere(model, def, where)
    return compile(model, def, where)
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

  const self: StorageAdapter = {
    id: s.id,
    async migrate(models) {
      Object.assign(s.schema, models)
      s.onSchema?.(s.schema)
      await sql
        .raw(
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(MIGRATIONS_TABLE)} ("model" TEXT PRIMARY KEY, "columns" TEXT NOT NULL, "applied_at" ${flavor === 'sqlite' ? 'INTEGER' : 'BIGINT'} NOT NULL)`,
        )
        .execute(db)
      for (const [table, def] of Object.entries(models)) {
        const prev = await sql<{
          columns: string
        }>`SELECT ${sql.ref('columns')} FROM ${sql.id(MIGRATIONS_TABLE)} WHERE ${sql.ref('model')} = ${table}`.execute(
          db,
        )
        const cols = Object.keys(def.fields)
        const known: string[] = prev.rows[0] ? JSON.parse(prev.rows[0].columns) : []
        await sql.raw(createTableSql(flavor, table, def)).execute(db)
        if (prev.rows[0])
          for (const c of cols.filter((c) => !known.includes(c)))
            await sql.raw(addColumnSql(flavor, table, c, def.fields[c]!)).execute(db)
        for (const ix of indexSqls(table, def)) await sql.raw(ix).execute(db)
        if (!prev.rows[0] || known.join() !== cols.join()) {
          const json = JSON.stringify(cols)
          await sql`INSERT INTO ${sql.id(MIGRATIONS_TABLE)} (${sql.ref('model')}, ${sql.ref('columns')}, ${sql.ref('applied_at')}) VALUES (${table}, ${json}, ${Date.now()})
            ON CONFLICT (${sql.ref('model')}) DO UPDATE SET ${sql.ref('columns')} = ${json}, ${sql.ref('applied_at')} = ${Date.now()}`.execute(
            db,
          )
        }
      }
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
          const text = `SELECT * FROM ${quoteIdent(model)} WHERE ${quoteIdent(where.field)} = ? LIMIT 1`
          const raw = s.fastGet(text, [toDb(flavor, def, where.field, where.value)])
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
    async findMany({ model, where, sort, limit, offset }: FindManyArgs) {
      const def = modelOf(s.schema, model)
      const order = [...(sort ?? []), { field: 'id', dir: 'asc' as const }].map((o) => {
        if (!fieldDef(def, o.field)) throw new Error(`unknown sort field "${o.field}" on ${model}`)
        return sql`${sql.ref(o.field)} ${sql.raw(o.dir === 'desc' ? 'DESC' : 'ASC')}${sql.raw(flavor === 'postgres' ? (o.dir === 'desc' ? ' NULLS LAST' : ' NULLS FIRST') : '')}`
      })
      const lim = limit === undefined ? (offset ? sql` LIMIT -1` : sql``) : sql` LIMIT ${limit}`
      const pgLim = limit === undefined ? sql`` : sql` LIMIT ${limit}`
      const off = offset ? sql` OFFSET ${offset}` : sql``
      return (await run(
        model,
        sql`SELECT * FROM ${T(model)} WHERE ${whereSql(model, where)} ORDER BY ${sql.join(order)}${flavor === 'sqlite' ? lim : pgLim}${off}`,
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
