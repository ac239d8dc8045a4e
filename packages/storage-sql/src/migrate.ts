import type { ModelSchema } from '@mailfront/core'
import { type Kysely, sql } from 'kysely'
import { addColumnSql, createTableSql, indexSqls, quoteIdent, type SqlFlavor } from './ddl.ts'

export const MIGRATIONS_TABLE = 'mailfront_migrations'

/**
 * Create each model's table and indexes, add the columns a model gained since the last run, and
 * record the column list per model in the migrations table.
 */
export async function migrateModels(db: Kysely<any>, flavor: SqlFlavor, models: ModelSchema): Promise<void> {
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
}
