import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { defineMethod, methodDefiner, methodTable } from './method.ts'

describe('methods', () => {
  it('types a handler by its params and the plugin call context', async () => {
    const define = methodDefiner<{ scale: number }, { level: 'any' | 'admin' }>()
    const m = define({
      name: 'scale',
      summary: 'n times the scale',
      level: 'admin',
      params: z.object({ n: z.number() }),
      result: z.number(),
      handler: async ({ n }, call) => {
        expectTypeOf(n).toEqualTypeOf<number>()
        return n * call.scale
      },
    })
    expect(m.level).toBe('admin')
    expect(await m.handler({ n: 2 }, { scale: 3 })).toBe(6)
    const plain = defineMethod({
      name: 'ping',
      summary: 'pong',
      params: z.object({}),
      result: z.literal('pong'),
      handler: async () => 'pong' as const,
    })
    expect(await plain.handler({}, undefined)).toBe('pong')
  })

  it('tables methods by name and alias', () => {
    const m = {
      name: 'a',
      summary: '',
      aliases: ['b'],
      params: z.object({}),
      result: z.null(),
      handler: async () => null,
    }
    const t = methodTable([m])
    expect([...t.keys()]).toEqual(['a', 'b'])
    expect(() => methodTable([m, { ...m, aliases: [] }])).toThrow('JSON-RPC method "a" is declared twice')
  })
})
