import { encodeBasic } from '@mailfront/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { authsmtpAuth, post, runtime, tmailAdmin } from '../../test/demo-runtime.ts'
import { installedIds } from '../registry.ts'
import type { RequestEntry } from '../request-log.ts'
import type { Runtime } from '../runtime.ts'

describe('reset and fixtures at run time', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())

  it('POST /_mailfront/reset: a created user is gone, the demo is back, twice in a row', async () => {
    const created = await rt.app.request('/users/new@example.net', {
      method: 'POST',
      headers: tmailAdmin,
      body: JSON.stringify({ Passwd: 'a-long-password' }),
    })
    expect(created.status).toBe(201)
    // A demo record changed, to see it restored.
    expect(
      (
        await rt.app.request('/users/toorop@tmail.io', {
          method: 'DELETE',
          headers: tmailAdmin,
        })
      ).status,
    ).toBe(200)
    for (let i = 0; i < 2; i++) {
      const res = await post(rt, '/_mailfront/reset')
      expect(res.status).toBe(200)
      const body = (await res.json()) as { reset: boolean; loaded: Record<string, number> }
      expect(body.reset).toBe(true)
      expect(body.loaded).toMatchObject({ authsmtp: 2, tmail: expect.any(Number) })
      expect((await rt.app.request('/users/new@example.net', { headers: tmailAdmin })).status).toBe(404)
      expect((await rt.app.request('/users/toorop@tmail.io', { headers: tmailAdmin })).status).toBe(200)
      // The demo secrets still authenticate (reloaded from the hashed snapshot).
      expect((await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })).status).toBe(
        200,
      )
      const token = await rt.app.request('/oauth/token?grant_type=password', {
        method: 'POST',
        headers: { Authorization: encodeBasic('jack.truong@example.com', 'demo-password') },
      })
      expect(token.status).toBe(200)
    }
  })

  it('reset also clears the request log and the faults', async () => {
    await post(rt, '/_mailfront/faults', { plugin: 'tmail', status: 500 })
    await rt.app.request('/ping')
    await post(rt, '/_mailfront/reset')
    expect(
      ((await (await rt.app.request('/_mailfront/faults')).json()) as { faults: unknown[] }).faults,
    ).toEqual([])
    expect(
      ((await (await rt.app.request('/_mailfront/requests')).json()) as { requests: unknown[] }).requests,
    ).toEqual([])
  })

  it('GET /_mailfront/fixtures exports what POST loads, 64-bit integers exact', async () => {
    const res = await rt.app.request('/_mailfront/fixtures')
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    const text = await res.text()
    expect(text).toContain('"user_id": "aa12345"')
    expect(text).toMatch(/"[a-z_]+": 5000000000000\b/) // aa99999's 64-bit quantities, as numbers
    const again = await post(rt, '/_mailfront/fixtures', text)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ upserted: { authsmtp: 2 } })
    expect(await (await rt.app.request('/_mailfront/fixtures')).text()).toBe(text)
  })

  it('POST /_mailfront/fixtures loads a document and names the JSON path of a bad value', async () => {
    const ok = await post(rt, '/_mailfront/fixtures', {
      tmail: { users: [{ Login: 'seeded@example.net', Passwd: 'seeded-password' }] },
    })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ upserted: { tmail: 1 } })
    expect((await rt.app.request('/users/seeded@example.net', { headers: tmailAdmin })).status).toBe(200)

    const bad = await post(rt, '/_mailfront/fixtures', { tmail: { users: [{ Login: 7 }] } })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      error: 'body: tmail.users.0.Login: Invalid input: expected string, received number',
    })
    const unknown = await post(rt, '/_mailfront/fixtures', { nope: {} })
    expect((await unknown.json()) as object).toEqual({
      error: `body: unknown section "nope" (known: ${installedIds().join(', ')})`,
    })
    const notJson = await post(rt, '/_mailfront/fixtures', '{')
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^body: not valid JSON/)
  })
})

describe('the request log', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime({ MAILFRONT_REQUEST_LOG_SIZE: '5' })
  })
  afterAll(() => rt.close())
  beforeEach(async () => {
    expect((await rt.app.request('/_mailfront/requests', { method: 'DELETE' })).status).toBe(204)
  })
  const list = async (q = '') =>
    ((await (await rt.app.request(`/_mailfront/requests${q}`)).json()) as { requests: RequestEntry[] })
      .requests

  it('records method, path, plugin, route, status, time and both bodies, newest first', async () => {
    await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
    await rt.app.request('/ping')
    const [ping, basic] = await list()
    expect(ping).toMatchObject({ method: 'GET', path: '/ping', plugin: 'tmail', route: '/ping', status: 200 })
    expect(basic).toMatchObject({
      method: 'GET',
      path: '/restful/basic_user/aa12345',
      plugin: 'authsmtp',
      route: '/restful/basic_user/:userId',
      status: 200,
    })
    expect(basic!.id).toBeLessThan(ping!.id)
    expect(Date.parse(basic!.time)).toBeGreaterThan(Date.now() - 60_000)
    expect(basic!.response.body.text).toContain('<user_id>aa12345</user_id>')
    expect(basic!.response.body.contentType).toBe('text/xml; charset=UTF-8')
    expect(ping!.response.body.text).toBe(await (await rt.app.request('/ping')).text())
  })

  it('redacts every secret: Authorization, passwords, tokens, session ids, API key secrets', async () => {
    await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
    await post(
      rt,
      '/v1/',
      '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}',
    )
    const token = await rt.app.request('/oauth/token?grant_type=password&password=in-the-query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=jack.truong%40example.com&password=demo-password',
    })
    const { access_token } = (await token.json()) as { access_token: string }
    const key = await rt.app.request('/api/v1/account/api_key', {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ci', role: 'standard' }),
    })
    const { Secret } = (await key.json()) as { Secret: string }
    expect(Secret).toBeTruthy()
    const [keyEntry, tokenEntry, rpc, basic] = await list()
    const all = JSON.stringify([keyEntry, tokenEntry, rpc, basic])
    for (const secret of [
      'demo-api-password',
      encodeBasic('aa12345', 'demo-api-password').slice(6),
      '123456',
      'demo-password',
      'in-the-query',
      access_token,
      Secret,
    ])
      expect(all).not.toContain(secret)
    expect(basic!.request.headers.authorization).toBe('[redacted]')
    expect(rpc!.request.body.text).toBe(
      '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"[redacted]"},"id":"1"}',
    )
    expect(rpc!.response.body.text).toBe(
      '{"jsonrpc":"2.0","result":{"session":"[redacted]","level":"account"},"id":"1"}',
    )
    expect(tokenEntry!.query).toBe('grant_type=password&password=[redacted]')
    expect(tokenEntry!.request.body.text).toBe('username=jack.truong%40example.com&password=[redacted]')
    expect(tokenEntry!.response.body.text).toContain('"access_token":"[redacted]"')
    expect(tokenEntry!.response.body.text).toContain('"refresh_token":"[redacted]"')
    expect(keyEntry!.request.headers.authorization).toBe('[redacted]')
    expect(keyEntry!.request.body.text).toBe('{"name":"ci","role":"standard"}')
    expect(keyEntry!.response.body.text).toContain('"Secret":"[redacted]"')
  })

  it('filters by plugin, method, path and status; is bounded; DELETE clears', async () => {
    for (let i = 0; i < 4; i++) await rt.app.request('/ping')
    await rt.app.request('/users/nobody@example.net', { headers: tmailAdmin })
    await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
    await rt.app.request('/_mailfront/requests') // mailfront's own paths are not logged
    const all = await list()
    expect(all).toHaveLength(5) // the ring keeps the last 5 of 6
    expect((await list('?plugin=authsmtp')).map((e) => e.path)).toEqual(['/restful/basic_user/aa12345'])
    expect((await list('?status=404')).map((e) => e.path)).toEqual(['/users/nobody@example.net'])
    expect((await list('?status=4xx')).map((e) => e.status)).toEqual([404])
    expect(await list('?method=post')).toEqual([])
    expect((await list('?path=/users/*')).map((e) => e.status)).toEqual([404])
    expect((await list('?path=/pi')).length).toBe(3)
    expect((await list('?limit=2')).length).toBe(2)
    expect((await rt.app.request('/_mailfront/requests?status=abc')).status).toBe(400)
    expect((await rt.app.request('/_mailfront/requests?limit=0')).status).toBe(400)
    await rt.app.request('/_mailfront/requests', { method: 'DELETE' })
    expect(await list()).toEqual([])
  })

  it('keeps at most 8 KiB of a body and says it was cut', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      method: 'hello.world',
      params: { pad: 'x'.repeat(20_000) },
      id: 1,
    })
    await post(rt, '/v1/', big)
    const [e] = await list()
    expect(e!.request.body.truncated).toBe(true)
    expect(e!.request.body.text).toHaveLength(8192)
  })
})
