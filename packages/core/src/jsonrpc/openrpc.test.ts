import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { methodDefiner } from './method.ts'
import { openrpcDocument } from './openrpc.ts'

const define = methodDefiner<unknown, { codes: number[] }>()
const methods = [
  define({
    name: 'sum',
    summary: 'Add numbers',
    codes: [7],
    aliases: ['add'],
    params: z.object({ a: z.number(), b: z.number().optional() }),
    result: z.number(),
    handler: async (p) => p.a + (p.b ?? 0),
  }),
]

describe('openrpcDocument', () => {
  it('describes each method from its zod params and result, with the plugin errors and fields', () => {
    const doc = openrpcDocument(methods, {
      info: { title: 'Toy', version: '1' },
      errorsOf: (m) => m.codes.map((code) => ({ code, message: `error ${code}` })),
      extensionsOf: (m) => ({ 'x-toy-codes': m.codes.length }),
    })
    expect(doc).toEqual({
      openrpc: '1.3.2',
      info: { title: 'Toy', version: '1' },
      methods: [
        {
          name: 'sum',
          summary: 'Add numbers',
          paramStructure: 'by-name',
          params: [
            { name: 'a', required: true, schema: { type: 'number' } },
            { name: 'b', required: false, schema: { type: 'number' } },
          ],
          result: { name: 'result', schema: { type: 'number' } },
          errors: [{ code: 7, message: 'error 7' }],
          'x-toy-codes': 1,
          'x-mailfront-aliases': ['add'],
        },
      ],
    })
    // Key order is the wire's: errors, then the plugin's fields, then the aliases.
    expect(Object.keys(doc.methods[0]!).slice(-3)).toEqual(['errors', 'x-toy-codes', 'x-mailfront-aliases'])
  })
})
