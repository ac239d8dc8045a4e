import type { ModelSchema, Row, StorageAdapter } from '../storage/types.ts'

// Shared by the conformance suite's areas (conformance-*.ts).

export const conformanceModels: ModelSchema = {
  conf_item: {
    fields: {
      name: { type: 'string', unique: true },
      kind: { type: 'string' },
      qty: { type: 'integer', default: 0 },
      big: { type: 'bigint', optional: true },
      active: { type: 'boolean', default: true },
      meta: { type: 'json', optional: true },
      at: { type: 'timestamp', optional: true },
      note: { type: 'string', optional: true },
    },
    indexes: [{ fields: ['kind', 'qty'] }],
  },
  conf_serial: {
    id: 'serial',
    fields: { label: { type: 'string' } },
  },
  conf_pair: {
    fields: { a: { type: 'string' }, b: { type: 'string' } },
    indexes: [{ fields: ['a', 'b'], unique: true }],
  },
}

export type Item = Row & {
  name: string
  kind: string
  qty: number
  big: bigint | null
  active: boolean
  meta: unknown
  at: number | null
  note: string | null
}

/** What an area's cases see: the adapter under test (set in the suite's beforeAll). */
export interface ConformanceScope {
  readonly db: StorageAdapter
}

/** Five items: kinds even/odd, qty 0..40 by 10, Epsilon's note null. */
export const seed = async (db: StorageAdapter) => {
  for (const [i, n] of ['alpha', 'beta', 'gamma', 'delta', 'Epsilon'].entries()) {
    await db.create({
      model: 'conf_item',
      data: { name: n, kind: i % 2 ? 'odd' : 'even', qty: i * 10, note: i === 4 ? null : `n${i}` },
    })
  }
}
export const names = (rows: Row[]) => rows.map((r) => r.name).sort()
