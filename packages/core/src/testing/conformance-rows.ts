import { expect, it } from 'vitest'
import { UniqueViolationError } from '../storage/types.ts'
import type { ConformanceScope, Item } from './conformance-setup.ts'

/** Creating rows: defaults, serial ids, value round-trips, unique rules. */
export function rowCases(scope: ConformanceScope): void {
  it('create fills defaults and returns the row with an id', async () => {
    const r = await scope.db.create<Item>({ model: 'conf_item', data: { name: 'x', kind: 'k' } })
    expect(typeof r.id).toBe('string')
    expect(r).toMatchObject({ name: 'x', kind: 'k', qty: 0, active: true, big: null, meta: null, at: null })
    expect(await scope.db.findOne({ model: 'conf_item', where: { field: 'id', value: r.id } })).toEqual(r)
  })

  it('create rejects an unknown field and a missing required one', async () => {
    await expect(
      scope.db.create({ model: 'conf_item', data: { name: 'x', kind: 'k', nope: 1 } }),
    ).rejects.toThrow(/unknown field/)
    await expect(scope.db.create({ model: 'conf_item', data: { name: 'x' } })).rejects.toThrow(/required/)
  })

  it('serial ids increase', async () => {
    const a = await scope.db.create({ model: 'conf_serial', data: { label: 'a' } })
    const b = await scope.db.create({ model: 'conf_serial', data: { label: 'b' } })
    expect(typeof a.id).toBe('number')
    expect(Number(b.id)).toBeGreaterThan(Number(a.id))
  })

  it('an explicit serial id is kept and later ids go past it', async () => {
    const a = await scope.db.create({ model: 'conf_serial', data: { id: 1000, label: 'fixed' } })
    expect(Number(a.id)).toBe(1000)
    const b = await scope.db.create({ model: 'conf_serial', data: { label: 'next' } })
    expect(Number(b.id)).toBeGreaterThan(1000)
    await expect(
      scope.db.create({ model: 'conf_serial', data: { id: 1000, label: 'again' } }),
    ).rejects.toThrow(UniqueViolationError)
  })

  it('64-bit integers, booleans, json and timestamps round-trip', async () => {
    const big = 2n ** 63n - 1n
    const meta = { list: [1, 'two', { three: true }], s: 'é"\\' }
    await scope.db.create({
      model: 'conf_item',
      data: { name: 'b', kind: 'k', big, meta, active: false, at: 1_780_000_000_123 },
    })
    const r = await scope.db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'b' } })
    expect(r?.big).toBe(big)
    expect(r?.meta).toEqual(meta)
    expect(r?.active).toBe(false)
    expect(r?.at).toBe(1_780_000_000_123)
    const r2 = await scope.db.increment<Item>({
      model: 'conf_item',
      where: { field: 'name', value: 'b' },
      by: { big: -(2n ** 62n) },
    })
    expect(r2?.big).toBe(big - 2n ** 62n)
    expect(
      await scope.db.count({
        model: 'conf_item',
        where: { field: 'big', op: 'gt', value: 5_000_000_000_000n },
      }),
    ).toBe(1)
  })

  it('unique violations on a field and on a compound index', async () => {
    await scope.db.create({ model: 'conf_item', data: { name: 'u', kind: 'k' } })
    await expect(
      scope.db.create({ model: 'conf_item', data: { name: 'u', kind: 'k' } }),
    ).rejects.toBeInstanceOf(UniqueViolationError)
    await scope.db.create({ model: 'conf_pair', data: { a: '1', b: '2' } })
    await scope.db.create({ model: 'conf_pair', data: { a: '1', b: '3' } })
    await expect(scope.db.create({ model: 'conf_pair', data: { a: '1', b: '2' } })).rejects.toBeInstanceOf(
      UniqueViolationError,
    )
    const other = await scope.db.create({ model: 'conf_item', data: { name: 'v', kind: 'k' } })
    await expect(
      scope.db.updateOne({ model: 'conf_item', where: { field: 'id', value: other.id }, set: { name: 'u' } }),
    ).rejects.toBeInstanceOf(UniqueViolationError)
  })
}
