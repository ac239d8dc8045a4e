import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import type Pg from 'pg'

// The drivers are optional peer dependencies: a server installs only the one its database URL
// needs, so they are loaded on first use, with an error that says what to install.
const require = createRequire(import.meta.url)

function missing(err: unknown, name: string): boolean {
  const code = (err as { code?: string }).code
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    String((err as Error).message).includes(`'${name}'`)
  )
}

function notInstalled(name: string, adapter: string, err: unknown): Error {
  return new Error(`the ${adapter} adapter needs the "${name}" package: npm install ${name}`, { cause: err })
}

/** `require` a driver, or say which package to install when it is missing. */
export function loadDriver<T>(name: string, adapter: string): T {
  try {
    return require(name) as T
  } catch (err) {
    throw missing(err, name) ? notInstalled(name, adapter, err) : err
  }
}

export function betterSqlite3(): typeof BetterSqlite3 {
  return loadDriver('better-sqlite3', 'SQLite')
}

export function pg(): typeof Pg {
  return loadDriver('pg', 'PostgreSQL')
}

export async function pglite(): Promise<typeof import('@electric-sql/pglite')> {
  try {
    return await import('@electric-sql/pglite')
  } catch (err) {
    throw missing(err, '@electric-sql/pglite') ? notInstalled('@electric-sql/pglite', 'PGlite', err) : err
  }
}
