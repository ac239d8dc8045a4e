import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { memoryAdapter } from './memory.ts'
import { ROW_CACHE_MAX_MS, withRowCache } from './row-cache.ts'
import type { ModelSchema, StorageAdapter } from './types.ts'

const models: ModelSchema = {
  t_session: {
    cacheMs: 1000,
    fields: { token: { type: 'string', unique: true }, user: { type: 'string' }, hits: { type: 'integer' } },
  },
  t_other: { fields: { name: { type: 'string', unique: true } } },
  t_long: { cacheMs: 60_000, fields: { name: { type: 'string', unique: true } } },
}

/** One store, its read count, and a cached adapter over it (one "instance"). */
async function setup() {
  const clock = createManualClock()
  const base = memoryAdapter()
  await base.migrate(models)
  let reads = 0
  const counted = new Proxy(base, {
    get(t, p) {
      if (p === 'findOne') {
        return (a: Parameters<StorageAdapter['findOne']>[0]) => {
          reads++
          return t.findOne(a)
        }
      }
      const v = Reflect.get(t, p, t)
      return typeof v === 'function' ? v.bind(t) : v
    },
  })
  const db = withRowCache(counted, { clock })
  await db.migrate(models)
  const s = await db.create({ model: 't_session', data: { token: 'abc', user: 'alice', hits: 0 } })
  const byToken = { model: 't_session', where: { field: 'token', value: 'abc' } }
  return { clock, base, db, s, byToken, reads: () => reads }
}

describe('withRowCache', () => {
  it('reuses a point read of a cached model for its cacheMs, then reads again', async () => {
    const { clock, db, byToken, reads } = await setup()
    expect((await db.findOne(byToken))?.user).toBe('alice')
    for (let i = 0; i < 10; i++) expect((await db.findOne(byToken))?.user).toBe('alice')
    expect(reads()).toBe(1)
    clock.advance(999)
    await db.findOne(byToken)
    expect(reads()).toBe(1)
    clock.advance(1)
    await db.findOne(byToken)
    expect(reads()).toBe(2)
  })

  it('caps cacheMs at one second', async () => {
    const { clock, db, reads } = await setup()
    await db.create({ model: 't_long', data: { name: 'x' } })
    const q = { model: 't_long', where: { field: 'name', value: 'x' } }
    await db.findOne(q)
    clock.advance(ROW_CACHE_MAX_MS - 1)
    await db.findOne(q)
    expect(reads()).toBe(1)
    clock.advance(1)
    await db.findOne(q)
    expect(reads()).toBe(2)
  })

  it('sees its own writes at once: update, increment, delete, delete many', async () => {
    const { db, s, byToken } = await setup()
    await db.findOne(byToken)
    await db.updateOne({ model: 't_session', where: { field: 'id', value: s.id }, set: { user: 'bob' } })
    expect((await db.findOne(byToken))?.user).toBe('bob')
    await db.increment({ model: 't_session', where: { field: 'id', value: s.id }, by: { hits: 1 } })
    expect((await db.findOne(byToken))?.hits).toBe(1)
    await db.deleteOne({ model: 't_session', where: { field: 'token', value: 'abc' } })
    expect(await db.findOne(byToken)).toBeNull()
    await db.create({ model: 't_session', data: { token: 'abc', user: 'carol', hits: 0 } })
    expect((await db.findOne(byToken))?.user).toBe('carol')
    await db.deleteMany({ model: 't_session', where: { field: 'user', value: 'carol' } })
    expect(await db.findOne(byToken)).toBeNull()
  })

  it('drops every row on truncate', async () => {
    const { db, byToken } = await setup()
    await db.findOne(byToken)
    await db.truncate()
    expect(await db.findOne(byToken)).toBeNull()
  })

  it('drops rows changed in a transaction (a cascade of deletes, as deauth and account deletion do)', async () => {
    const { db, byToken } = await setup()
    await db.findOne(byToken)
    await db.transaction(async (tx) => {
      await tx.deleteMany({ model: 't_session', where: { field: 'user', value: 'alice' } })
      expect(await tx.findOne(byToken)).toBeNull()
    })
    expect(await db.findOne(byToken)).toBeNull()
  })

  it('keeps what a rolled-back transaction left (the row, read again)', async () => {
    const { db, byToken } = await setup()
    await db.findOne(byToken)
    await expect(
      db.transaction(async (tx) => {
        await tx.updateMany({
          model: 't_session',
          where: { field: 'user', value: 'alice' },
          set: { user: 'x' },
        })
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect((await db.findOne(byToken))?.user).toBe('alice')
  })

  it('does not keep a read that a write overtook', async () => {
    const { db, s, byToken } = await setup()
    const stale = db.findOne(byToken) // reads before the update lands
    const update = db.updateOne({
      model: 't_session',
      where: { field: 'id', value: s.id },
      set: { user: 'bob' },
    })
    await Promise.all([stale, update])
    expect((await db.findOne(byToken))?.user).toBe('bob')
  })

  it("sees another instance's write within cacheMs", async () => {
    const { clock, base, db, s, byToken } = await setup()
    const other = withRowCache(base, { clock })
    await other.migrate(models)
    await db.findOne(byToken)
    await other.updateOne({ model: 't_session', where: { field: 'id', value: s.id }, set: { user: 'bob' } })
    clock.advance(1000)
    expect((await db.findOne(byToken))?.user).toBe('bob')
  })

  it('reads through: other models, reads that are not one equality, and rows not found', async () => {
    const { db, byToken, reads } = await setup()
    await db.create({ model: 't_other', data: { name: 'n' } })
    await db.findOne({ model: 't_other', where: { field: 'name', value: 'n' } })
    await db.findOne({ model: 't_other', where: { field: 'name', value: 'n' } })
    expect(reads()).toBe(2)
    await db.findOne({ model: 't_session', where: { field: 'token', value: 'ABC', ci: true } })
    await db.findOne({ model: 't_session', where: { field: 'token', value: 'ABC', ci: true } })
    await db.findOne({ model: 't_session', where: { and: [byToken.where] } })
    await db.findOne({ model: 't_session', where: { and: [byToken.where] } })
    expect(reads()).toBe(6)
    const missing = { model: 't_session', where: { field: 'token', value: 'nope' } }
    expect(await db.findOne(missing)).toBeNull()
    await db.create({ model: 't_other', data: { name: 'unrelated' } })
    expect(await db.findOne(missing)).toBeNull()
    expect(reads()).toBe(8)
  })

  it('answers copies: a caller changing its row does not change the cache', async () => {
    const { db, byToken } = await setup()
    const a = (await db.findOne(byToken))!
    a.user = 'mallory'
    const b = (await db.findOne(byToken))!
    expect(b.user).toBe('alice')
    b.user = 'eve'
    expect((await db.findOne(byToken))?.user).toBe('alice')
  })

  it("passes the adapter's own other members through", async () => {
    const base = memoryAdapter()
    const extended = Object.assign(base, { extra: () => 'mine' })
    const db = withRowCache(extended) as typeof extended
    expect(db.extra()).toBe('mine')
    expect(db.id).toBe(base.id)
  })
})
