import { expect, it } from 'vitest'
import { UniqueViolationError } from '../storage/types.ts'
import type { ConformanceScope, Item } from './conformance-setup.ts'

/** Transactions: commit, rollback on throw, isolation. */
export function transactionCases(scope: ConformanceScope): void {
  it('a transaction commits', async () => {
    await scope.db.transaction(async (tx) => {
      await tx.create({ model: 'conf_item', data: { name: 't1', kind: 'k' } })
      await tx.create({ model: 'conf_item', data: { name: 't2', kind: 'k' } })
    })
    expect(await scope.db.count({ model: 'conf_item' })).toBe(2)
  })

  it('a transaction that throws rolls everything back', async () => {
    await scope.db.create({ model: 'conf_item', data: { name: 'keep', kind: 'k', qty: 1 } })
    await expect(
      scope.db.transaction(async (tx) => {
        await tx.create({ model: 'conf_item', data: { name: 't1', kind: 'k' } })
        await tx.updateOne({
          model: 'conf_item',
          where: { field: 'name', value: 'keep' },
          set: { qty: 99 },
        })
        await tx.create({ model: 'conf_item', data: { name: 'keep', kind: 'dup' } })
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError)
    expect(await scope.db.count({ model: 'conf_item' })).toBe(1)
    expect(
      (await scope.db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'keep' } }))?.qty,
    ).toBe(1)
    await expect(
      scope.db.transaction(async (tx) => {
        await tx.deleteMany({ model: 'conf_item', where: { and: [] } })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await scope.db.count({ model: 'conf_item' })).toBe(1)
  })

  it('transactions are isolated from each other', async () => {
    await scope.db.create({ model: 'conf_item', data: { name: 'ctr', kind: 'k', qty: 0 } })
    await Promise.all(
      Array.from({ length: 10 }, () =>
        scope.db.transaction(async (tx) => {
          const r = await tx.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'ctr' } })
          await tx.increment({ model: 'conf_item', where: { field: 'id', value: r!.id }, by: { qty: 1 } })
        }),
      ),
    )
    expect(
      (await scope.db.findOne<Item>({ model: 'conf_item', where: { field: 'name', value: 'ctr' } }))?.qty,
    ).toBe(10)
  })
}
