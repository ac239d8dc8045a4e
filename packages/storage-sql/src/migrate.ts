import type { ModelSchema } from '@mailfront/core'
import { type Kysely, sql } from 'kysely'
import { addColumnSql, createTableSql, indexSqls, quoteIdent, type SqlFlavor } from './ddl.ts'

export const MIGRATIONS_TABLE = 'mailfront_migrations'

/** The PostgreSQL advisory lock every mailfront process holds while it changes the schema ("mailfmig"). */
export const MIGRATION_LOCK_KEY = '7881696737170909543'

/** How long a start waits for another process's schema change by default (then a clear error). */
export const MIGRATION_LOCK_WAIT_MS = 300_000

/**
 * Create each model's table and indexes, add the columns a model gained since the last run, and
 * record the column list per model in the migrations table: all in one transaction. Processes
 * starting at once take turns (PostgreSQL: an advisory lock; SQLite: the transaction begins
 * IMMEDIATE), so the later one finds the tables and the recorded columns and changes nothing.
 * `CREATE TABLE IF NOT EXISTS` alone is not enough on PostgreSQL: two sessions both pass the check
 * and one fails on the catalog's unique index.
 */
export async function migrateModels(
  db: Kysely<any>,
  flavor: SqlFlavor,
  models: ModelSchema,
  opts: { lockWaitMs?: number | undefined } = {},
): Promise<void> {
  const work = async (trx: Kysely<any>) => {
    if (flavor === 'postgres') await lockSchema(trx, opts.lockWaitMs ?? MIGRATION_LOCK_WAIT_MS)
    await applyModels(trx, flavor, models)
  }
  if (db.isTransaction) await work(db)
  else await db.transaction().execute(work)
}

/**
 * Wait for the schema lock (released when the transaction ends, committed or not). The wait is
 * bounded by `waitMs` and its own error, not by a statement_timeout the server or URL may set for
 * requests: that would cut the wait (or a slow first migration) short with "canceling statement".
 */
async function lockSchema(trx: Kysely<any>, waitMs: number): Promise<void> {
  const prev = await sql<{
    lock_timeout: string
  }>`SELECT current_setting('lock_timeout') AS lock_timeout`.execute(trx)
  await sql`SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', ${`${Math.max(1, Math.round(waitMs))}ms`}, true)`.execute(
    trx,
  )
  try {
    await sql.raw(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`).execute(trx)
  } catch (e) {
    if ((e as { code?: unknown }).code !== '55P03') throw e
    throw new Error(
      `another process has been changing the database schema for ${waitMs} ms (PostgreSQL advisory lock ${MIGRATION_LOCK_KEY}): is another mailfront instance stuck while starting?`,
      { cause: e },
    )
  }
  // The DDL's own lock waits keep the server's setting.
  await sql`SELECT set_config('lock_timeout', ${prev.rows[0]?.lock_timeout ?? '0'}, true)`.execute(trx)
}

/** Is this table or index already there, in the schema the DDL creates in? */
async function existingRelations(db: Kysely<any>, flavor: SqlFlavor): Promise<(name: string) => boolean> {
  const res =
    flavor === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`.execute(
          db,
        )
      : await sql<{
          name: string
        }>`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()`.execute(
          db,
        )
  const names = new Set(res.rows.map((r) => r.name))
  // PostgreSQL keeps the first 63 bytes of a name (identifiers here are ASCII).
  return flavor === 'sqlite' ? (n) => names.has(n) : (n) => names.has(n.slice(0, 63))
}

async function applyModels(db: Kysely<any>, flavor: SqlFlavor, models: ModelSchema): Promise<void> {
  const exists = await existingRelations(db, flavor)
  if (!exists(MIGRATIONS_TABLE))
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
    // Only what is missing: DDL on a table in use (even a no-op CREATE INDEX IF NOT EXISTS) would
    // lock it against the running instances' writes until this transaction ends.
    if (!exists(table)) await sql.raw(createTableSql(flavor, table, def)).execute(db)
    if (prev.rows[0])
      for (const c of cols.filter((c) => !known.includes(c)))
        await sql.raw(addColumnSql(flavor, table, c, def.fields[c]!)).execute(db)
    for (const ix of indexSqls(table, def)) if (!exists(ix.name)) await sql.raw(ix.sql).execute(db)
    if (!prev.rows[0] || known.join() !== cols.join()) {
      const json = JSON.stringify(cols)
      await sql`INSERT INTO ${sql.id(MIGRATIONS_TABLE)} (${sql.ref('model')}, ${sql.ref('columns')}, ${sql.ref('applied_at')}) VALUES (${table}, ${json}, ${Date.now()})
        ON CONFLICT (${sql.ref('model')}) DO UPDATE SET ${sql.ref('columns')} = ${json}, ${sql.ref('applied_at')} = ${Date.now()}`.execute(
        db,
      )
    }
  }
}
