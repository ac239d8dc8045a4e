import { afterAll, beforeAll, beforeEach, describe } from 'vitest'
import type { StorageAdapter } from '../storage/types.ts'
import { adminCases } from './conformance-admin.ts'
import { queryCases } from './conformance-queries.ts'
import { rowCases } from './conformance-rows.ts'
import { conformanceModels } from './conformance-setup.ts'
import { transactionCases } from './conformance-transactions.ts'
import { writeCases } from './conformance-writes.ts'

export { conformanceModels }

export interface ConformanceTarget {
  /** A fresh, empty adapter (migrated by the suite). */
  make(): Promise<StorageAdapter>
  /** Runs after each adapter is used. */
  destroy?(a: StorageAdapter): Promise<void>
}

/** The one storage conformance suite: every adapter runs it (its areas in conformance-*.ts). */
export function runStorageConformance(name: string, target: ConformanceTarget): void {
  describe(`storage conformance: ${name}`, () => {
    let db: StorageAdapter
    beforeAll(async () => {
      db = await target.make()
      await db.migrate(conformanceModels)
      await db.migrate(conformanceModels) // idempotent
    })
    afterAll(async () => {
      await target.destroy?.(db)
      await db.close()
    })
    beforeEach(async () => {
      for (const m of Object.keys(conformanceModels))
        await db.deleteMany({ model: m, where: { or: [{ field: 'id', op: 'ne', value: null }] } })
    })
    const s = {
      get db() {
        return db
      },
    }
    rowCases(s)
    queryCases(s)
    writeCases(s)
    transactionCases(s)
    adminCases(s)
  })
}
