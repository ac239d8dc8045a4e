import type Database from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point lookup.
 * The adapter's queries come from a few shapes, so statements are kept by SQL text (bounded).
 */
export function cachingDatabase(database: Database.Database, max = 500): SqliteDatabase {
  const statements = new Map<string, Database.Statement>()
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let s = statements.get(sql)
      if (s) {
        // Refresh its place: the least recently used statement is the one dropped.
        statements.delete(sql)
      } else {
        s = database.prepare(sql)
        if (statements.size >= max) statements.delete(statements.keys().next().value as string)
      }
      statements.set(sql, s)
      return s as never
    },
  }
}
