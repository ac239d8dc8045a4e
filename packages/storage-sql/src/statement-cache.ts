import type Database from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point lookup.
 * The adapter's queries come from a few shapes, so statements are kept by SQL text (bounded).
 */
export function cachingDatabase(
  database: Database.Database,
  opts: { max?: number; safeIntegers?: (sql: string) => boolean } = {},
): SqliteDatabase & { clear(): void } {
  const max = opts.max ?? 500
  const statements = new Map<string, Database.Statement>()
  return {
    clear: () => statements.clear(),
    close: () => database.close(),
    prepare(text: string) {
      // Kysely begins transactions DEFERRED; IMMEDIATE takes the write lock at once, so a lock held
      // by another process refuses the BEGIN (which can be tried again) and never a later statement.
      const sql = text === 'begin' ? 'begin immediate' : text
      let s = statements.get(sql)
      if (s) {
        // Refresh its place: the least recently used statement is the one dropped.
        statements.delete(sql)
      } else {
        s = database.prepare(sql)
        if (opts.safeIntegers && s.reader) s.safeIntegers(opts.safeIntegers(sql))
        if (statements.size >= max) statements.delete(statements.keys().next().value as string)
      }
      statements.set(sql, s)
      return s as never
    },
  }
}
