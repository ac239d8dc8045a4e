import { beforeAll, describe, expect, it } from 'vitest'
import { app, call, ctx, login, post, remount, setup } from '../test/plugin-harness.ts'

// JSON-RPC over HTTP: body parsing, headers, notifications, errors, languages, batches, limits.

describe('transport', () => {
  beforeAll(() => setup())

  it('parses the body as JSON whatever the Content-Type, at /v1 and /v1/', async () => {
    for (const path of ['/v1/', '/v1'])
      for (const type of ['application/x-www-form-urlencoded', 'text/json', 'text/plain']) {
        const r = await post({ jsonrpc: '2.0', method: 'hello.world', id: 7 }, { 'Content-Type': type }, path)
        expect(r.body).toEqual({ jsonrpc: '2.0', result: 'Hello World!', id: 7 })
      }
  })

  it('matches the session header case-insensitively', async () => {
    const s = await login('test_account', '123456')
    expect((await call('hello.innerworld', '', undefined, { 'Hpls-Auth': s })).result).toBe(
      'Hello Inner-World!',
    )
  })

  it('answers 204 to notifications and 405 to other methods', async () => {
    expect((await post({ jsonrpc: '2.0', method: 'hello.world' })).status).toBe(204)
    const res = await app.request('/v1/', { method: 'GET' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
  })

  it.each([
    ['{}', {}],
    ['[]', []],
    ['null', null],
    ['missing', undefined],
  ])('takes params %s as no params', async (_, params) => {
    const r = await post({
      jsonrpc: '2.0',
      method: 'hello.world',
      id: 'x',
      ...(params === undefined ? {} : { params }),
    })
    expect(r.body.result).toBe('Hello World!')
  })

  it('answers -32601 and -32602 with the field detail, and positional params by declaration order', async () => {
    expect((await call('nope.nothing')).error).toEqual({ code: -32601, message: 'Method not found' })
    const bad = await call('auth', { user: 'x' })
    expect(bad.error.code).toBe(-32602)
    expect(bad.error.data).toEqual([{ path: ['pass'], message: expect.any(String) }])
    const pos = await post({ jsonrpc: '2.0', method: 'auth', params: ['test_account', '123456'], id: 1 })
    expect(pos.body.result.level).toBe('account')
  })

  it('answers in German with Accept-Language: de', async () => {
    expect(
      (
        await call('auth', { user: 'test_account', pass: 'x' }, undefined, {
          'Accept-Language': 'de-DE,de;q=0.9',
        })
      ).error,
    ).toEqual({
      code: 2,
      message: 'Zugriff verweigert',
    })
    expect((await call('hello.innerworld', '', undefined, { 'Accept-Language': 'de' })).error.message).toBe(
      'Diese Auth-ID ist ungültig',
    )
    expect((await call('no.such', '', undefined, { 'Accept-Language': 'en;q=0.5, de' })).error.message).toBe(
      'Methode nicht gefunden',
    )
  })

  it('answers a batch in order, with a login and a call in it', async () => {
    const s = await login('test_account', '123456')
    const r = await post(
      [
        { jsonrpc: '2.0', method: 'hello.world', id: 1 },
        { jsonrpc: '2.0', method: 'hello.innerworld', id: 2 },
        { jsonrpc: '2.0', method: 'hello.world' },
        { jsonrpc: '2.0', method: 'deauth', id: 3 },
        { jsonrpc: '2.0', method: 'hello.innerworld', id: 4 },
      ],
      { 'HPLS-AUTH': s },
    )
    expect(r.body.map((a: { id: unknown }) => a.id)).toEqual([1, 2, 3, 4])
    expect(r.body[1].result).toBe('Hello Inner-World!')
    expect(r.body[3].error.code).toBe(253)
  })

  it('limits the batch size and the body', async () => {
    await setup({ max_batch: '2' })
    const r = await post([1, 2, 3].map((id) => ({ jsonrpc: '2.0', method: 'hello.world', id })))
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request', data: 'a batch may hold at most 2 calls' },
      id: null,
    })
    ctx.bodyLimit = 100
    await remount()
    const big = await post({ jsonrpc: '2.0', method: 'hello.world', params: { x: 'y'.repeat(200) }, id: 1 })
    expect(big.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request: the body is too large' },
      id: null,
    })
  })
})
