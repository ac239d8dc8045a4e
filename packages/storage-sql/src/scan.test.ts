import { type ModelSchema, scanRows } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { sqliteAdapter } from './index.ts'

const models: ModelSchema = {
  t_item: {
    id: 'serial',
    fields: { name: { type: 'string' }, n: { type: 'integer' }, on: { type: 'boolean' } },
  },
}

async function store(rows: number) {
  const db = sqliteAdapter({ filename: ':memory:' })
  await db.migrate(models)
  for (let i = 1; i <= rows; i++)
    await db.create({ model: 't_item', data: { name: `item ${i}`, n: i * 10, on: true } })
  return db
}

describe('SQLite scanRaw (raw rows from one prepared statement)', () => {
  it('reads keyset batches in id order, with limit and offset', async () => {
    const db = await store(5)
    expect(db.scanRaw).toBeTypeOf('function')
    const scan = (a: { afterId?: number; limit: number; offset?: number }) =>
      scanRows(db, { model: 't_item', columns: ['id', 'name', 'n'], ...a })
    expect(await scan({ limit: 2 })).toEqual([
      [1, 'item 1', 10],
      [2, 'item 2', 20],
    ])
    expect(await scan({ afterId: 2, limit: 10 })).toEqual([
      [3, 'item 3', 30],
      [4, 'item 4', 40],
      [5, 'item 5', 50],
    ])
    expect(await scan({ limit: 2, offset: 3 })).toEqual([
      [4, 'item 4', 40],
      [5, 'item 5', 50],
    ])
    expect(await scan({ afterId: 5, limit: 10 })).toEqual([])
    await db.close()
  })

  it('reads what findMany reads (the fallback of other adapters)', async () => {
    const db = await store(3)
    const raw = await scanRows(db, { model: 't_item', columns: ['id', 'name', 'n'], limit: 10 })
    const generic = await scanRows(
      { ...db, scanRaw: undefined },
      { model: 't_item', columns: ['id', 'name', 'n'], limit: 10 },
    )
    expect(raw).toEqual(generic)
    await db.close()
  })

  it('refuses columns that are not string or integer fields', async () => {
    const db = await store(1)
    await expect(scanRows(db, { model: 't_item', columns: ['id', 'on'], limit: 1 })).rejects.toThrow(
      'scanRaw: "on" on t_item is not a string or integer field',
    )
    await expect(scanRows(db, { model: 't_item', columns: ['nope'], limit: 1 })).rejects.toThrow()
    await db.close()
  })

  it('does not read a transaction in progress on its connection', async () => {
    const db = await store(2)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    let written!: () => void
    const inside = new Promise<void>((r) => {
      written = r
    })
    const tx = db
      .transaction(async (t) => {
        await t.create({ model: 't_item', data: { name: 'uncommitted', n: 0, on: false } })
        written()
        await gate
        throw new Error('roll back')
      })
      .catch(() => undefined)
    await inside
    // The raw statement shares the connection and would see the row: the scan waits its turn.
    const scan = scanRows(db, { model: 't_item', columns: ['id', 'name'], limit: 10 })
    release()
    await tx
    expect((await scan).map((r) => r[1])).toEqual(['item 1', 'item 2'])
    await db.close()
  })
})
