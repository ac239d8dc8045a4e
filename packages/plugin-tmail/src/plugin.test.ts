import { encodeBasic } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, app, create, ctx, expectError, req, setup, TYPE } from '../test/plugin-harness.ts'
import { fixtures } from './fixtures.ts'

// Ping and auth, routing, and the fixtures round-trip.

beforeEach(() => setup())

describe('ping and auth', () => {
  it('answers /ping with the exact bytes and no auth', async () => {
    const res = await app.request('/ping')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(TYPE)
    expect(await res.text()).toBe('{"msg": "pong"}')
  })

  it('challenges only when the Authorization header is missing', async () => {
    const res = await app.request('/users')
    await expectError(res, 401, 'Unauthorized')
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="tmail REST server"')
    expect(ctx.counters.authFailures).toBe(0)
  })

  it.each([
    ['a wrong password', encodeBasic('admin', 'nope')],
    ['a wrong login', encodeBasic('root', 'admin')],
    ['a bare "Basic"', 'Basic'],
    ['a short header', 'Bas'],
    ['another scheme', 'Bearer abc'],
    ['bad base64', 'Basic !!!!'],
    ['no colon', `Basic ${Buffer.from('adminadmin').toString('base64')}`],
    ['an empty header', ''],
  ])('refuses %s with a plain 401, never a 500', async (_, header) => {
    const res = await req('GET', '/users', undefined, { Authorization: header })
    await expectError(res, 401, 'Unauthorized')
    expect(res.headers.get('www-authenticate')).toBeNull()
  })

  it('pays one slow hash for 50 concurrent first requests with one credential', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => req('GET', '/users/none@x.io')))
    expect(all.every((r) => r.status === 404)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(1)
    await req('GET', '/users')
    expect(ctx.counters.slowHashes).toBe(1)
  })

  it('checks auth before reading the body', async () => {
    const res = await app.request('/users/x@y.z', { method: 'POST', body: '{not json' })
    expect(res.status).toBe(401)
  })

  it('throttles failed logins per login and address with 403 and Retry-After', async () => {
    await setup({ login_failures: '3', login_window_s: '60' })
    for (let i = 0; i < 3; i++)
      expect(
        (await req('GET', '/users', undefined, { Authorization: encodeBasic('admin', `x${i}`) })).status,
      ).toBe(401)
    const res = await req('GET', '/users', undefined, { Authorization: encodeBasic('admin', 'admin') })
    await expectError(res, 403, 'too many authentication attempts')
    expect(res.headers.get('retry-after')).toBe('60')
    ctx.clock.advance(60_000)
    expect((await req('GET', '/users')).status).toBe(200)
  })

  it('takes the credential from the environment when set', async () => {
    await setup({ admin_login: 'ops', admin_password: 's3cret!' })
    expect((await req('GET', '/users')).status).toBe(401)
    expect(
      (await req('GET', '/users', undefined, { Authorization: encodeBasic('ops', 's3cret!') })).status,
    ).toBe(200)
  })

  it('refuses plain HTTP in its own format when HTTPS is required', async () => {
    await setup({}, { requireHttps: true })
    const env = { mailfront: { requestId: 'r', secure: false, ip: '127.0.0.1' } }
    const res = await app.request('/users', { headers: { Authorization: ADMIN } }, env)
    await expectError(res, 403, 'HTTPS is required')
  })
})

describe('routing', () => {
  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await req('DELETE', '/users')
    await expectError(res, 405, 'Method Not Allowed')
    expect(res.headers.get('allow')).toBe('GET, OPTIONS')
    const opt = await req('OPTIONS', '/users/x')
    expect(opt.status).toBe(200)
    expect(opt.headers.get('allow')).toBe('DELETE, GET, POST, PUT, OPTIONS')
  })

  it('answers an unknown path with a JSON 404', async () => {
    await expectError(await req('GET', '/users/a/b'), 404, '404 page not found')
  })

  it('answers 413 in its own format for a body over the limit', async () => {
    await setup({}, { bodyLimit: 64 })
    const res = await create('big@x.io', { passwd: 'x'.repeat(200) })
    await expectError(res, 413, 'Request body too large')
  })
})

describe('fixtures', () => {
  it('round-trips through export and load, and is idempotent', async () => {
    await create('toorop@tmail.io', { passwd: 'motdepasse', haveMailbox: true, mailboxQuota: '1G' })
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
  })

  it('names the path of a bad record', () => {
    const r = fixtures.schema.safeParse({ users: [{ Login: 'abcd', Passwd: '$2a$10$' + 'a'.repeat(53) }] })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.path).toEqual(['users', 0, 'DovePasswd'])
  })
})
