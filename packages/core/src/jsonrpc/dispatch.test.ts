import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createRpcDispatcher } from './dispatch.ts'
import { methodDefiner } from './method.ts'
import { RpcError } from './protocol.ts'

// A toy plugin: a request carries a user (or none) and a language; `secret` needs a user.
interface Req {
  user?: string
  lang: 'en' | 'de'
  seen: string[]
}
interface Call {
  user: string | undefined
}
const define = methodDefiner<Call, { needsUser: boolean }>()
const methods = [
  define({
    name: 'subtract',
    summary: 'a - b',
    needsUser: false,
    aliases: ['minus'],
    params: z.object({ minuend: z.number(), subtrahend: z.number().default(0) }),
    result: z.number(),
    handler: async (p) => p.minuend - p.subtrahend,
  }),
  define({
    name: 'secret',
    summary: 'who asks',
    needsUser: true,
    params: z.object({}),
    result: z.string(),
    handler: async (_, call) => `for ${call.user}`,
  }),
  define({
    name: 'down',
    summary: 'the store is down',
    needsUser: false,
    params: z.object({}),
    result: z.never(),
    handler: async () => {
      throw new Error('store down')
    },
  }),
  define({
    name: 'crash',
    summary: 'a bug',
    needsUser: false,
    params: z.object({}),
    result: z.never(),
    handler: async () => {
      throw new TypeError('x is undefined')
    },
  }),
]
const internal: unknown[] = []
const dispatch = createRpcDispatcher({
  methods,
  maxBatch: 3,
  nullIsAbsent: true,
  context(m, req: Req) {
    req.seen.push(m.name)
    if (m.needsUser && !req.user) throw new RpcError(7, 'log in first')
    return { user: req.user }
  },
  after: (m, req) => req.seen.push(`done ${m.name}`),
  mapError: (e) =>
    e instanceof Error && e.message === 'store down' ? new RpcError(-32000, 'try again later') : e,
  onInternal: (err) => internal.push(err),
  messages: (req) =>
    req.lang === 'de'
      ? {
          methodNotFound: 'Methode nicht gefunden',
          invalidParams: 'Ungültige Parameter',
          internal: 'Interner Fehler',
        }
      : { methodNotFound: 'Method not found', invalidParams: 'Invalid params', internal: 'Internal error' },
})
const req = (o: Partial<Req> = {}): Req => ({ lang: 'en', seen: [], ...o })
const call = async (method: string, params: unknown, r = req()) =>
  JSON.parse((await dispatch(JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }), r))!)

describe('createRpcDispatcher', () => {
  it('finds a method by name or alias, names positional params, validates them', async () => {
    expect(await call('subtract', { minuend: 42, subtrahend: 23 })).toEqual({
      jsonrpc: '2.0',
      result: 19,
      id: 1,
    })
    expect((await call('minus', [42, 23])).result).toBe(19)
    // A null param is one not given: the default applies.
    expect((await call('subtract', { minuend: 5, subtrahend: null })).result).toBe(5)
    expect(await call('subtract', { minuend: 'x' })).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32602,
        message: 'Invalid params',
        data: [{ path: ['minuend'], message: 'Invalid input: expected number, received string' }],
      },
      id: 1,
    })
    expect((await call('subtract', [1, 2, 3])).error).toEqual({
      code: -32602,
      message: 'Invalid params',
      data: [{ path: [], message: 'at most 2 positional params (minuend, subtrahend)' }],
    })
  })

  it('asks the plugin for the call context before reading params, and tells it when done', async () => {
    const r = req()
    expect((await call('secret', { junk: 1 }, r)).error).toEqual({ code: 7, message: 'log in first' })
    expect(r.seen).toEqual(['secret'])
    const u = req({ user: 'ann' })
    expect((await call('secret', {}, u)).result).toBe('for ann')
    expect(u.seen).toEqual(['secret', 'done secret'])
  })

  it('answers an unknown method in the request language, maps errors, hides internal ones', async () => {
    expect((await call('nope', {}, req({ lang: 'de' }))).error).toEqual({
      code: -32601,
      message: 'Methode nicht gefunden',
    })
    expect((await call('down', {})).error).toEqual({ code: -32000, message: 'try again later' })
    expect((await call('crash', {}, req({ lang: 'de' }))).error).toEqual({
      code: -32603,
      message: 'Interner Fehler',
    })
    expect(internal).toHaveLength(1)
  })

  it('keeps the batch limit and answers nothing for notifications', async () => {
    const n = { jsonrpc: '2.0', method: 'subtract', params: [1, 1] }
    expect(await dispatch(JSON.stringify([n, n]), req())).toBeNull()
    expect(JSON.parse((await dispatch(JSON.stringify([n, n, n, n]), req()))!)).toMatchObject({
      error: { code: -32600, data: 'a batch may hold at most 3 calls' },
    })
  })

  it('refuses a name declared twice', () => {
    expect(() =>
      createRpcDispatcher({
        methods: [methods[0]!, { ...methods[1]!, name: 'minus' }],
        maxBatch: 1,
        context: () => ({ user: undefined }),
        onInternal() {},
      }),
    ).toThrow('JSON-RPC method "minus" is declared twice')
  })
})
