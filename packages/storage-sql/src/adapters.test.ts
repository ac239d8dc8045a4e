import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStorageConformance } from '@mailfront/core/testing'
import { pgliteAdapter, postgresAdapter, sqliteAdapter } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'mailfront-sql-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

runStorageConformance('sqlite (:memory:)', { make: async () => sqliteAdapter({ filename: ':memory:' }) })
runStorageConformance('sqlite (file, WAL)', {
  make: async () => sqliteAdapter({ filename: join(dir, 'conf.db') }),
})
runStorageConformance('postgres (embedded PGlite)', { make: () => pgliteAdapter() })

const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (pgUrl) {
  console.log(`[storage-sql] real PostgreSQL backend: ${pgUrl.replace(/\/\/[^@]*@/, '//***@')}`)
  // The suite empties its tables before each test, so rows left by an earlier run do not matter.
  runStorageConformance('postgres (real server)', { make: async () => postgresAdapter({ url: pgUrl }) })
} else {
  console.log(
    '[storage-sql] real PostgreSQL backend skipped: MAILFRONT_TEST_PG_URL is not set (PGlite covers PostgreSQL)',
  )
}
