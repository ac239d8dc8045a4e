import pg from 'pg'

/** One statement on its own connection (CREATE and DROP of a schema or database). */
export async function runSql(pgUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

/**
 * A schema of its own on the test PostgreSQL (MAILFRONT_TEST_PG_URL), so test files running at once
 * never share tables: its URL (the schema as search_path) and how to drop it afterwards.
 */
export async function pgTestSchema(
  pgUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Date.now()}`
  await runSql(pgUrl, `CREATE SCHEMA ${schema}`)
  const u = new URL(pgUrl)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return { url: u.toString(), drop: () => runSql(pgUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) }
}
