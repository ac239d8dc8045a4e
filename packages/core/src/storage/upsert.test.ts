import { describe, expect, it } from 'vitest'
import { memoryAdapter } from './memory.ts'
import { upsertOne } from './upsert.ts'

describe('upsertOne', () => {
  it('creates, then updates, and leaves one row under concurrent calls', async () => {
    const db = memoryAdapter()
    await db.migrate({ t_kv: { fields: { k: { type: 'string', unique: true }, v: { type: 'integer' } } } })
    const key = { field: 'k', value: 'a' }
    await upsertOne(db, { model: 't_kv', key, set: { v: 1 } })
    await upsertOne(db, { model: 't_kv', key, set: { v: 2 } })
    await Promise.all(
      [3, 4, 5].map((v) => upsertOne(db, { model: 't_kv', key: { field: 'k', value: 'b' }, set: { v } })),
    )
    const rows = await db.findMany<{ id: string; k: string; v: number }>({
      model: 't_kv',
      sort: [{ field: 'k' }],
    })
    expect(rows.map((r) => [r.k, r.v])).toEqual([
      ['a', 2],
      ['b', 5],
    ])
  })
})
