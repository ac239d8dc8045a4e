import { memoryAdapter } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { streamJsonArray } from './stream.ts'

const MODEL = 'tmail_t'
let db: ReturnType<typeof memoryAdapter>

const text = async (s: ReadableStream<Uint8Array>) => new Response(s).text()
const ids = (s: string) => (JSON.parse(s) as { id: number }[]).map((r) => r.id)
const json = (r: { id: unknown }) => JSON.stringify({ id: Number(r.id) })

beforeEach(async () => {
  db = memoryAdapter()
  await db.migrate({ [MODEL]: { id: 'serial', fields: { n: { type: 'integer' } } } })
})

describe('streamJsonArray', () => {
  it('writes [] for an empty table', async () => {
    expect(await text(streamJsonArray(db, MODEL, json))).toBe('[]')
  })

  it('streams every row across batch boundaries, in id order', async () => {
    for (let i = 0; i < 25; i++) await db.create({ model: MODEL, data: { n: i } })
    await db.deleteOne({ model: MODEL, where: { field: 'id', value: 10 } })
    const out = await text(streamJsonArray(db, MODEL, json, { batch: 4 }))
    expect(ids(out)).toEqual([...Array(25).keys()].map((i) => i + 1).filter((i) => i !== 10))
  })

  it('honours limit and offset (our extension)', async () => {
    for (let i = 0; i < 10; i++) await db.create({ model: MODEL, data: { n: i } })
    expect(ids(await text(streamJsonArray(db, MODEL, json, { batch: 3, offset: 2, limit: 5 })))).toEqual([
      3, 4, 5, 6, 7,
    ])
    expect(await text(streamJsonArray(db, MODEL, json, { limit: 0 }))).toBe('[]')
    expect(await text(streamJsonArray(db, MODEL, json, { offset: 50 }))).toBe('[]')
  })

  it('errors the stream when the store fails mid-way', async () => {
    for (let i = 0; i < 5; i++) await db.create({ model: MODEL, data: { n: i } })
    let calls = 0
    const failing = {
      ...db,
      findMany: async (a: never) => {
        if (++calls > 1) throw new Error('store down')
        return db.findMany(a)
      },
    }
    await expect(text(streamJsonArray(failing as never, MODEL, json, { batch: 2 }))).rejects.toThrow(
      'store down',
    )
  })
})
