import { describe, expect, it } from 'vitest'
import {
  handleRpc,
  parseRpcRequest,
  RPC_CODES,
  type RpcCall,
  type RpcEngine,
  RpcError,
  rpcErrorBody,
} from './protocol.ts'

// The methods of section 7 of the JSON-RPC 2.0 specification, named as the specification names them.
const named = (c: RpcCall, names: string[]) =>
  c.positional ? Object.fromEntries(names.map((n, i) => [n, c.positional![i]])) : c.params
const notified: string[] = []
const engine: RpcEngine = {
  maxBatch: 100,
  onInternal() {},
  async invoke(c) {
    switch (c.method) {
      case 'subtract': {
        const p = named(c, ['minuend', 'subtrahend']) as { minuend: number; subtrahend: number }
        return p.minuend - p.subtrahend
      }
      case 'sum':
        return (c.positional as number[]).reduce((a, b) => a + b, 0)
      case 'get_data':
        return ['hello', 5]
      case 'update':
      case 'notify_hello':
      case 'notify_sum':
        notified.push(c.method)
        return true
      default:
        throw new RpcError(RPC_CODES.methodNotFound, 'Method not found')
    }
  },
}
const rpc = async (body: string) => {
  const out = await handleRpc(engine, body)
  return out === null ? null : JSON.parse(out)
}

describe('JSON-RPC 2.0 specification, section 7 (replayed)', () => {
  it('rpc call with positional parameters', async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')).toEqual({
      jsonrpc: '2.0',
      result: 19,
      id: 1,
    })
    expect(await rpc('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}')).toEqual({
      jsonrpc: '2.0',
      result: -19,
      id: 2,
    })
  })

  it('rpc call with named parameters', async () => {
    expect(
      await rpc(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
      ),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 3 })
    expect(
      await rpc(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
      ),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 4 })
  })

  it('a notification', async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')).toBeNull()
    expect(await rpc('{"jsonrpc": "2.0", "method": "foobar"}')).toBeNull()
  })

  it('rpc call of non-existent method', async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found' },
      id: '1',
    })
  })

  it('rpc call with invalid JSON', async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    })
  })

  it('rpc call with invalid Request object', async () => {
    expect(await rpc('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    })
  })

  it('rpc call Batch, invalid JSON', async () => {
    expect(
      await rpc(
        '[\n  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},\n  {"jsonrpc": "2.0", "method"\n]',
      ),
    ).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null })
  })

  it('rpc call with an empty Array', async () => {
    expect(await rpc('[]')).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    })
  })

  it('rpc call with an invalid Batch (but not empty)', async () => {
    expect(await rpc('[1]')).toEqual([
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    ])
  })

  it('rpc call with invalid Batch', async () => {
    const err = { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null }
    expect(await rpc('[1,2,3]')).toEqual([err, err, err])
  })

  it('rpc call Batch', async () => {
    notified.length = 0
    const out = await rpc(`[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`)
    expect(out).toEqual([
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      {
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Invalid Request' },
        id: null,
      },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ])
    expect(notified).toEqual(['notify_hello'])
  })

  it('rpc call Batch (all notifications)', async () => {
    expect(
      await rpc(
        '[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]',
      ),
    ).toBeNull()
  })
})

describe('engine rules beyond section 7', () => {
  it('echoes the id with its type and never answers a null result', async () => {
    const e: RpcEngine = { ...engine, invoke: async () => null }
    expect(JSON.parse((await handleRpc(e, '{"jsonrpc":"2.0","method":"x","id":7}'))!)).toEqual({
      jsonrpc: '2.0',
      result: true,
      id: 7,
    })
    expect(JSON.parse((await handleRpc(e, '{"jsonrpc":"2.0","method":"x","id":null}'))!).id).toBeNull()
  })

  it('takes "" as no params and refuses other scalars', async () => {
    let seen: RpcCall | undefined
    const e: RpcEngine = {
      ...engine,
      invoke: async (c) => {
        seen = c
        return 'ok'
      },
    }
    await handleRpc(e, '{"jsonrpc":"2.0","method":"x","params":"","id":"1"}')
    expect(seen!.params).toEqual({})
    expect(
      JSON.parse((await handleRpc(e, '{"jsonrpc":"2.0","method":"x","params":5,"id":"1"}'))!).error.code,
    ).toBe(-32600)
  })

  it('refuses a wrong version, a bad id type and an oversized batch', async () => {
    expect(JSON.parse((await handleRpc(engine, '{"jsonrpc":"1.0","method":"sum","id":"a"}'))!)).toMatchObject(
      { error: { code: -32600 }, id: 'a' },
    )
    expect(JSON.parse((await handleRpc(engine, '{"jsonrpc":"2.0","method":"sum","id":{}}'))!)).toMatchObject({
      error: { code: -32600 },
      id: null,
    })
    const big = JSON.stringify(
      Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', method: 'get_data', id: i })),
    )
    expect(JSON.parse((await handleRpc(engine, big))!)).toMatchObject({
      error: { code: -32600, data: 'a batch may hold at most 100 calls' },
      id: null,
    })
  })

  it('hides internal errors behind -32603 and reports them', async () => {
    const seen: unknown[] = []
    const e: RpcEngine = {
      ...engine,
      onInternal: (err) => seen.push(err),
      invoke: async () => {
        throw new Error('db password is hunter2')
      },
    }
    const out = (await handleRpc(e, '{"jsonrpc":"2.0","method":"x","id":"1"}'))!
    expect(JSON.parse(out)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32603, message: 'Internal error' },
      id: '1',
    })
    expect(out).not.toContain('hunter2')
    expect(seen).toHaveLength(1)
  })
})

describe('one request', () => {
  it('names the call, its params and whether it is a notification', () => {
    expect(parseRpcRequest({ jsonrpc: '2.0', method: 'm', params: { a: 1 }, id: 'x' })).toEqual({
      method: 'm',
      params: { a: 1 },
      positional: null,
      id: 'x',
      notification: false,
    })
    expect(parseRpcRequest({ jsonrpc: '2.0', method: 'm', params: [1, 2] })).toEqual({
      method: 'm',
      params: {},
      positional: [1, 2],
      id: undefined,
      notification: true,
    })
    expect(parseRpcRequest({ jsonrpc: '2.0', method: 'm', params: [], id: 1 })).toMatchObject({
      params: {},
      positional: null,
    })
  })

  it('answers what is not a request with -32600, echoing a valid id', () => {
    expect(parseRpcRequest({ jsonrpc: '2.0', method: '', id: 3 })).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: 3,
    })
    expect(parseRpcRequest({ jsonrpc: '2.0', method: 'm', id: Number.NaN })).toMatchObject({ id: null })
    expect(parseRpcRequest('m')).toMatchObject({ error: { code: -32600 }, id: null })
  })

  it('writes an error outside any call with a null id', () => {
    expect(rpcErrorBody(-32600, 'Invalid Request: use POST')).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: use POST"},"id":null}',
    )
  })
})
