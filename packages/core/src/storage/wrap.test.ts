import { describe, expect, it } from 'vitest'
import { memoryAdapter } from './memory.ts'
import { aroundStorageMethods, STORAGE_CALLS } from './wrap.ts'

describe('aroundStorageMethods', () => {
  it('runs the named calls inside the wrapper, the rest as they are; a missing method stays absent', async () => {
    const inner = memoryAdapter()
    const seen: string[] = []
    const db = aroundStorageMethods(inner, [...STORAGE_CALLS, 'scanRaw'], async (call) => {
      seen.push('in')
      try {
        return await call()
      } catch (e) {
        throw new Error(`wrapped: ${(e as Error).message}`)
      }
    })
    await db.migrate({ t_row: { fields: { name: { type: 'string' } } } })
    await db.create({ model: 't_row', data: { name: 'a' } })
    expect(await db.count({ model: 't_row' })).toBe(1)
    expect(seen).toHaveLength(3)
    await db.ping()
    expect(seen).toHaveLength(3)
    expect(db.scanRaw).toBeUndefined()
    await expect(db.findMany({ model: 't_nope' })).rejects.toThrow(/^wrapped: /)
  })
})
