import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ModelSchema, Row, StorageAdapter } from '../storage/types.ts'
import { AmbiguousMatchError, UniqueViolationError } from '../storage/types.ts'

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

export interface ConformanceTarget {
  /** A fresh, empty adapter (migrated by the suite). */
  make(): Promise<StorageAdapter>
  /** Runs after each adapter is used. */
  destroy?(a: StorageAdapter): Promise<void>
}

type Item = Row & {
  name: string
  kind: string
  qty: number
  big: bigint | null
  active: boolean
  meta: unknown
  at: number | null
  note: string | null
}

/** The one storage conformance suite: every adapter runs it. */
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
    const seed = async () => {
      for (const [i, n] of ['alpha', 'beta', 'gamma', 'delta', 'Epsilon'].entries()) {
        await db.create({
          model: 'conf_item',
          data: { name: n, kind: i % 2 ? 'odd' : 'even', qty: i * 10, note: i === 4 ? null : `n${i}` },
        })
      }
    }
    const names = (rows: Row[]) => rows.map((r) => r.name).sort()

    it('create fills defaults and returns the row with an id', async () => {
      const r = await db.create<Item>({ model: 'conf_item', data: { name: 'x', kind: 'k' } })
      expect(typeof r.id).toBe('string')
      expect(r).toMatchObject({ name: 'x', kind: 'k', qty: 0, active: true, big: null, meta: null, at: null })
      expect(await db.findOne({ model: 'conf_item', where: { field: 'id', value: r.id } })).toEqual(r)
    })

    it('create rejects an unknown field and a missing required one', async () => {
      await expect(
        db.create({ model: 'conf_item', data: { name: 'x', kind: 'k', nope: 1 } }),
      ).rejects.toThrow(/unknown field/)
      await expect(db.create({ model: 'conf_item', data: { name: 'x' } })).rejects.toThrow(/required/)
    })

    it('serial ids increase', async () => {
      const a = await db.create({ model: 'conf_serial', data: { label: 'a' } })
      const b = await db.create({ model: 'conf_serial', data: { label: 'b' } })
      expect(typeof a.id).toBe('number')
      expect(Number(b.id)).toBeGreaterThan(Number(a.id))
    })

    it('an explicit serial id is kept and later ids go past it', async () => {
      const a = await db.create({ model: 'conf_serial', data: { id: 1000, label: 'fixed' } })
      expect(Number(a.id)).toBe(1000)
      const b = await db.create({ model: 'conf_serial', data: { label: 'next' } })
      expect(Number(b.id)).toBeGreaterThan(1000)
      await expect(db.create({ model: 'conf_serial', data: { id: 1000, label: 'again' } })).rejects.toThrow(
        UniqueViolationError,
      )
    })

    it('64-bit integers, booleans, json and timestamps round-trip', async () => {
      const big = 2n ** 63n - 1n
      const meta = { list: [1, 'two', { three: true }], s: 'é"\\' }
      await db.create({
        model: 'conf_item',
        data: { name: 'b', kind: 'k', big, meta, active: false, at: 1_780_000_000_123 },
      })
      const r = await db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'b' } })
      expect(r?.big).toBe(big)
      expect(r?.meta).toEqual(meta)
      expect(r?.active).toBe(false)
      expect(r?.at).toBe(1_780_000_000_123)
      const r2 = await db.increment<Item>({
        model: 'conf_item',
        where: { field: 'name', value: 'b' },
        by: { big: -(2n ** 62n) },
      })
      expect(r2?.big).toBe(big - 2n ** 62n)
      expect(
        await db.count({ model: 'conf_item', where: { field: 'big', op: 'gt', value: 5_000_000_000_000n } }),
      ).toBe(1)
    })

    it('unique violations on a field and on a compound index', async () => {
      await db.create({ model: 'conf_item', data: { name: 'u', kind: 'k' } })
      await expect(db.create({ model: 'conf_item', data: { name: 'u', kind: 'k' } })).rejects.toBeInstanceOf(
        UniqueViolationError,
      )
      await db.create({ model: 'conf_pair', data: { a: '1', b: '2' } })
      await db.create({ model: 'conf_pair', data: { a: '1', b: '3' } })
      await expect(db.create({ model: 'conf_pair', data: { a: '1', b: '2' } })).rejects.toBeInstanceOf(
        UniqueViolationError,
      )
      const other = await db.create({ model: 'conf_item', data: { name: 'v', kind: 'k' } })
      await expect(
        db.updateOne({ model: 'conf_item', where: { field: 'id', value: other.id }, set: { name: 'u' } }),
      ).rejects.toBeInstanceOf(UniqueViolationError)
    })

    it.each([
      ['eq', { field: 'kind', value: 'odd' }, ['beta', 'delta']],
      ['ne', { field: 'kind', op: 'ne', value: 'odd' }, ['Epsilon', 'alpha', 'gamma']],
      ['lt', { field: 'qty', op: 'lt', value: 20 }, ['alpha', 'beta']],
      ['lte', { field: 'qty', op: 'lte', value: 20 }, ['alpha', 'beta', 'gamma']],
      ['gt', { field: 'qty', op: 'gt', value: 20 }, ['Epsilon', 'delta']],
      ['gte', { field: 'qty', op: 'gte', value: 30 }, ['Epsilon', 'delta']],
      ['in', { field: 'name', op: 'in', value: ['alpha', 'delta', 'zzz'] }, ['alpha', 'delta']],
      ['not_in', { field: 'name', op: 'not_in', value: ['alpha', 'delta'] }, ['Epsilon', 'beta', 'gamma']],
      ['contains', { field: 'name', op: 'contains', value: 'lt' }, ['delta']],
      ['starts_with', { field: 'name', op: 'starts_with', value: 'g' }, ['gamma']],
      ['ends_with', { field: 'name', op: 'ends_with', value: 'a' }, ['alpha', 'beta', 'delta', 'gamma']],
      ['eq ci', { field: 'name', value: 'EPSILON', ci: true }, ['Epsilon']],
      ['starts_with ci', { field: 'name', op: 'starts_with', value: 'e', ci: true }, ['Epsilon']],
      ['eq null', { field: 'note', value: null }, ['Epsilon']],
      ['ne null', { field: 'note', op: 'ne', value: null }, ['alpha', 'beta', 'delta', 'gamma']],
      [
        'and',
        {
          and: [
            { field: 'kind', value: 'even' },
            { field: 'qty', op: 'gt', value: 0 },
          ],
        },
        ['Epsilon', 'gamma'],
      ],
      [
        'or',
        {
          or: [
            { field: 'name', value: 'alpha' },
            { field: 'qty', value: 30 },
          ],
        },
        ['alpha', 'delta'],
      ],
      [
        'and of or (explicit precedence)',
        {
          and: [
            {
              or: [
                { field: 'name', value: 'alpha' },
                { field: 'name', value: 'beta' },
              ],
            },
            { field: 'kind', value: 'odd' },
          ],
        },
        ['beta'],
      ],
      ['empty and', { and: [] }, ['Epsilon', 'alpha', 'beta', 'delta', 'gamma']],
      ['empty or', { or: [] }, []],
    ] as const)('where %s', async (_n, where, expected) => {
      await seed()
      expect(names(await db.findMany({ model: 'conf_item', where: where as never }))).toEqual(
        [...expected].sort(),
      )
      expect(await db.count({ model: 'conf_item', where: where as never })).toBe(expected.length)
    })

    it('a where naming an unknown field is rejected, not treated as match-all', async () => {
      await expect(db.findMany({ model: 'conf_item', where: { field: 'nmae', value: 'x' } })).rejects.toThrow(
        /unknown field/,
      )
    })

    it('findMany sorts, limits and offsets', async () => {
      await seed()
      const rows = await db.findMany({
        model: 'conf_item',
        sort: [{ field: 'qty', dir: 'desc' }],
        limit: 2,
        offset: 1,
      })
      expect(rows.map((r) => r.name)).toEqual(['delta', 'gamma'])
      const byKind = await db.findMany({
        model: 'conf_item',
        sort: [{ field: 'kind' }, { field: 'qty', dir: 'desc' }],
      })
      expect(byKind.map((r) => r.name)).toEqual(['Epsilon', 'gamma', 'alpha', 'delta', 'beta'])
    })

    it('updateOne touches exactly one row and refuses an ambiguous match', async () => {
      await seed()
      const r = await db.updateOne<Item>({
        model: 'conf_item',
        where: { field: 'name', value: 'alpha' },
        set: { qty: 7, note: null },
      })
      expect(r).toMatchObject({ name: 'alpha', qty: 7, note: null })
      expect(
        await db.updateOne({
          model: 'conf_item',
          where: { field: 'name', value: 'nobody' },
          set: { qty: 1 },
        }),
      ).toBeNull()
      await expect(
        db.updateOne({ model: 'conf_item', where: { field: 'kind', value: 'odd' }, set: { qty: 1 } }),
      ).rejects.toBeInstanceOf(AmbiguousMatchError)
      expect(await db.count({ model: 'conf_item', where: { field: 'qty', value: 1 } })).toBe(0)
    })

    it('updateMany, deleteOne and deleteMany report what they touched', async () => {
      await seed()
      expect(
        await db.updateMany({
          model: 'conf_item',
          where: { field: 'kind', value: 'odd' },
          set: { active: false },
        }),
      ).toBe(2)
      expect(await db.count({ model: 'conf_item', where: { field: 'active', value: false } })).toBe(2)
      await expect(
        db.deleteOne({ model: 'conf_item', where: { field: 'kind', value: 'odd' } }),
      ).rejects.toBeInstanceOf(AmbiguousMatchError)
      expect(await db.deleteOne({ model: 'conf_item', where: { field: 'name', value: 'beta' } })).toBe(true)
      expect(await db.deleteOne({ model: 'conf_item', where: { field: 'name', value: 'beta' } })).toBe(false)
      expect(await db.deleteMany({ model: 'conf_item', where: { field: 'kind', value: 'even' } })).toBe(3)
      expect(await db.count({ model: 'conf_item' })).toBe(1)
    })

    it('increment is guarded: null when the guard fails', async () => {
      await db.create({ model: 'conf_item', data: { name: 'c', kind: 'k', qty: 0 } })
      const guard = {
        and: [
          { field: 'name', value: 'c' },
          { field: 'qty', op: 'lt' as const, value: 2 },
        ],
      }
      expect((await db.increment<Item>({ model: 'conf_item', where: guard, by: { qty: 1 } }))?.qty).toBe(1)
      expect(
        (await db.increment<Item>({ model: 'conf_item', where: guard, by: { qty: 1 }, set: { note: 'set' } }))
          ?.note,
      ).toBe('set')
      expect(await db.increment({ model: 'conf_item', where: guard, by: { qty: 1 } })).toBeNull()
    })

    it('racing guarded increments: exactly the allowed number succeed', async () => {
      await db.create({ model: 'conf_item', data: { name: 'race', kind: 'k', qty: 0 } })
      const guard = {
        and: [
          { field: 'name', value: 'race' },
          { field: 'qty', op: 'lt' as const, value: 5 },
        ],
      }
      const results = await Promise.all(
        Array.from({ length: 20 }, () => db.increment({ model: 'conf_item', where: guard, by: { qty: 1 } })),
      )
      expect(results.filter(Boolean)).toHaveLength(5)
      expect(
        (await db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'race' } }))?.qty,
      ).toBe(5)
    })

    it('a transaction commits', async () => {
      await db.transaction(async (tx) => {
        await tx.create({ model: 'conf_item', data: { name: 't1', kind: 'k' } })
        await tx.create({ model: 'conf_item', data: { name: 't2', kind: 'k' } })
      })
      expect(await db.count({ model: 'conf_item' })).toBe(2)
    })

    it('a transaction that throws rolls everything back', async () => {
      await db.create({ model: 'conf_item', data: { name: 'keep', kind: 'k', qty: 1 } })
      await expect(
        db.transaction(async (tx) => {
          await tx.create({ model: 'conf_item', data: { name: 't1', kind: 'k' } })
          await tx.updateOne({
            model: 'conf_item',
            where: { field: 'name', value: 'keep' },
            set: { qty: 99 },
          })
          await tx.create({ model: 'conf_item', data: { name: 'keep', kind: 'dup' } })
        }),
      ).rejects.toBeInstanceOf(UniqueViolationError)
      expect(await db.count({ model: 'conf_item' })).toBe(1)
      expect(
        (await db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'keep' } }))?.qty,
      ).toBe(1)
      await expect(
        db.transaction(async (tx) => {
          await tx.deleteMany({ model: 'conf_item', where: { and: [] } })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await db.count({ model: 'conf_item' })).toBe(1)
    })

    it('transactions are isolated from each other', async () => {
      await db.create({ model: 'conf_item', data: { name: 'ctr', kind: 'k', qty: 0 } })
      await Promise.all(
        Array.from({ length: 10 }, () =>
          db.transaction(async (tx) => {
            const r = await tx.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'ctr' } })
            await tx.increment({ model: 'conf_item', where: { field: 'id', value: r!.id }, by: { qty: 1 } })
          }),
        ),
      )
      expect(
        (await db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'ctr' } }))?.qty,
      ).toBe(10)
    })

    it('an unknown model is an error', async () => {
      await expect(db.findOne({ model: 'conf_nope', where: { field: 'id', value: 1 } })).rejects.toThrow(
        /unknown model/,
      )
    })

    it('truncate empties the named models, or all, and restarts serial ids', async () => {
      await seed()
      await db.create({ model: 'conf_serial', data: { label: 'one' } })
      await db.create({ model: 'conf_pair', data: { a: 'x', b: 'y' } })
      await db.truncate(['conf_item'])
      expect(await db.count({ model: 'conf_item' })).toBe(0)
      expect(await db.count({ model: 'conf_serial' })).toBe(1)
      await db.truncate()
      for (const m of Object.keys(conformanceModels)) expect(await db.count({ model: m })).toBe(0)
      // The schema is kept, unique rules included, and serial ids start again.
      const s = await db.create({ model: 'conf_serial', data: { label: 'again' } })
      expect(Number(s.id)).toBe(1)
      await db.create({ model: 'conf_item', data: { name: 'alpha', kind: 'k' } })
      await expect(
        db.create({ model: 'conf_item', data: { name: 'alpha', kind: 'k' } }),
      ).rejects.toBeInstanceOf(UniqueViolationError)
      await expect(db.truncate(['conf_nope'])).rejects.toThrow(/conf_nope/)
    })

    it('ping answers', async () => {
      await expect(db.ping()).resolves.toBeUndefined()
    })
  })
}
