import { expect, it } from 'vitest'
import { AmbiguousMatchError } from '../storage/types.ts'
import { type ConformanceScope, type Item, seed } from './conformance-setup.ts'

/** Changing rows: update/delete counts and ambiguity, guarded increments (racing too). */
export function writeCases(scope: ConformanceScope): void {
  it('updateOne touches exactly one row and refuses an ambiguous match', async () => {
    await seed(scope.db)
    const r = await scope.db.updateOne<Item>({
      model: 'conf_item',
      where: { field: 'name', value: 'alpha' },
      set: { qty: 7, note: null },
    })
    expect(r).toMatchObject({ name: 'alpha', qty: 7, note: null })
    expect(
      await scope.db.updateOne({
        model: 'conf_item',
        where: { field: 'name', value: 'nobody' },
        set: { qty: 1 },
      }),
    ).toBeNull()
    await expect(
      scope.db.updateOne({ model: 'conf_item', where: { field: 'kind', value: 'odd' }, set: { qty: 1 } }),
    ).rejects.toBeInstanceOf(AmbiguousMatchError)
    expect(await scope.db.count({ model: 'conf_item', where: { field: 'qty', value: 1 } })).toBe(0)
  })

  it('updateMany, deleteOne and deleteMany report what they touched', async () => {
    await seed(scope.db)
    expect(
      await scope.db.updateMany({
        model: 'conf_item',
        where: { field: 'kind', value: 'odd' },
        set: { active: false },
      }),
    ).toBe(2)
    expect(await scope.db.count({ model: 'conf_item', where: { field: 'active', value: false } })).toBe(2)
    await expect(
      scope.db.deleteOne({ model: 'conf_item', where: { field: 'kind', value: 'odd' } }),
    ).rejects.toBeInstanceOf(AmbiguousMatchError)
    expect(await scope.db.deleteOne({ model: 'conf_item', where: { field: 'name', value: 'beta' } })).toBe(
      true,
    )
    expect(await scope.db.deleteOne({ model: 'conf_item', where: { field: 'name', value: 'beta' } })).toBe(
      false,
    )
    expect(await scope.db.deleteMany({ model: 'conf_item', where: { field: 'kind', value: 'even' } })).toBe(3)
    expect(await scope.db.count({ model: 'conf_item' })).toBe(1)
  })

  it('increment is guarded: null when the guard fails', async () => {
    await scope.db.create({ model: 'conf_item', data: { name: 'c', kind: 'k', qty: 0 } })
    const guard = {
      and: [
        { field: 'name', value: 'c' },
        { field: 'qty', op: 'lt' as const, value: 2 },
      ],
    }
    expect((await scope.db.increment<Item>({ model: 'conf_item', where: guard, by: { qty: 1 } }))?.qty).toBe(
      1,
    )
    expect(
      (
        await scope.db.increment<Item>({
          model: 'conf_item',
          where: guard,
          by: { qty: 1 },
          set: { note: 'set' },
        })
      )?.note,
    ).toBe('set')
    expect(await scope.db.increment({ model: 'conf_item', where: guard, by: { qty: 1 } })).toBeNull()
  })

  it('racing guarded increments: exactly the allowed number succeed', async () => {
    await scope.db.create({ model: 'conf_item', data: { name: 'race', kind: 'k', qty: 0 } })
    const guard = {
      and: [
        { field: 'name', value: 'race' },
        { field: 'qty', op: 'lt' as const, value: 5 },
      ],
    }
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        scope.db.increment({ model: 'conf_item', where: guard, by: { qty: 1 } }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(5)
    expect(
      (await scope.db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'race' } }))?.qty,
    ).toBe(5)
  })
}
