import { beforeAll, describe, expect, it } from 'vitest'
import { call, login, post, setup } from '../test/plugin-harness.ts'

// The request/answer pairs of the seed (mailbox.org's documentation), replayed byte for byte.

describe('the seed examples, replayed', () => {
  beforeAll(() => setup())

  it('auth: success', async () => {
    const r = await post(
      '{\n"jsonrpc":"2.0",\n"method":"auth",\n"params":{\n"user":"test_account",\n"pass":"123456"\n},\n"id":"1"\n}',
    )
    expect(r.status).toBe(200)
    expect(Object.keys(r.body)).toEqual(['jsonrpc', 'result', 'id'])
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      result: { session: expect.any(String), level: 'account' },
      id: '1',
    })
    expect(r.body.result.session).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })

  it('auth: invalid credentials', async () => {
    const r = await post({
      jsonrpc: '2.0',
      method: 'auth',
      params: { user: 'test_account', pass: 'wrong' },
      id: '1',
    })
    expect(r.body).toEqual({ jsonrpc: '2.0', error: { code: 2, message: 'Access denied' }, id: '1' })
    expect((await call('auth', { user: 'nobody', pass: '123456' })).error).toEqual({
      code: 2,
      message: 'Access denied',
    })
  })

  it('hello.world', async () => {
    expect(
      (await post('{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"hello.world",\n"params":""\n}')).body,
    ).toEqual({
      jsonrpc: '2.0',
      result: 'Hello World!',
      id: '1',
    })
  })

  it('hello.innerworld with a valid Auth-ID, and 253 without one', async () => {
    const s = await login('test_account', '123456')
    const body = '{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"hello.innerworld",\n"params":""\n}'
    expect((await post(body, { 'HPLS-AUTH': s })).body).toEqual({
      jsonrpc: '2.0',
      result: 'Hello Inner-World!',
      id: '1',
    })
    expect((await post(body)).body).toEqual({
      jsonrpc: '2.0',
      error: { code: 253, message: 'This Auth-ID is invalid' },
      id: '1',
    })
    expect(
      (await post(body, { 'HPLS-AUTH': 'LV;N%5TD7)64y&JOpK956fbe591dd89b8.38138624' })).body.error.code,
    ).toBe(253)
  })

  it('domain.list', async () => {
    const s = await login('test_account', '123456')
    const r = await post(
      '{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"domain.list",\n"params":{\n"account":"test_account"\n}\n}',
      {
        'HPLS-AUTH': s,
      },
    )
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      result: [
        { domain: 'domain1.test', count_mails: 2 },
        { domain: 'domain2.test', count_mails: 0 },
        { domain: 'domain3.test', count_mails: 33 },
        { domain: 'domain4.test', count_mails: 0 },
      ],
      id: '1',
    })
  })

  it('deauth with a valid Auth-ID; the Auth-ID is dead afterwards', async () => {
    const s = await login('test_account', '123456')
    expect(
      (await post('{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"deauth",\n"params":""\n}', { 'HPLS-AUTH': s }))
        .body,
    ).toEqual({
      jsonrpc: '2.0',
      result: true,
      id: '1',
    })
    expect((await call('hello.innerworld', '', s)).error.code).toBe(253)
  })
})
