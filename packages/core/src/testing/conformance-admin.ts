import { expect, it } from 'vitest'
import { UniqueViolationError } from '../storage/types.ts'
import { type ConformanceScope, conformanceModels, seed } from './conformance-setup.ts'

/** Schema and housekeeping: unknown models, truncate, ping. */
export function adminCases(scope: ConformanceScope): void {
  it('an unknown model is an error', async () => {
    await expect(scope.db.findOne({ model: 'conf_nope', where: { field: 'id', value: 1 } })).rejects.toThrow(
      /unknown model/,
    )
  })

  it('truncate empties the named models, or all, and restarts serial ids', async () => {
    await seed(scope.db)
    await scope.db.create({ model: 'conf_serial', data: { label: 'one' } })
    await scope.db.create({ model: 'conf_pair', data: { a: 'x', b: 'y' } })
    await scope.db.truncate(['conf_item'])
    expect(await scope.db.count({ model: 'conf_item' })).toBe(0)
    expect(await scope.db.count({ model: 'conf_serial' })).toBe(1)
    await scope.db.truncate()
    for (const m of Object.keys(conformanceModels)) expect(await scope.db.count({ model: m })).toBe(0)
    // The schema is kept, unique rules included, and serial ids start again.
    const s = await scope.db.create({ model: 'conf_serial', data: { label: 'again' } })
    expect(Number(s.id)).toBe(1)
    await scope.db.create({ model: 'conf_item', data: { name: 'alpha', kind: 'k' } })
    await expect(
      scope.db.create({ model: 'conf_item', data: { name: 'alpha', kind: 'k' } }),
    ).rejects.toBeInstanceOf(UniqueViolationError)
    await expect(scope.db.truncate(['conf_nope'])).rejects.toThrow(/conf_nope/)
  })

  it('ping answers', async () => {
    await expect(scope.db.ping()).resolves.toBeUndefined()
  })
}
