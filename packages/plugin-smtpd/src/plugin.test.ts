import { encodeBasic } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { app, bearer, ctx, expectError, grant, KEY, req, setup } from '../test/plugin-harness.ts'
import { fixtures } from './fixtures.ts'
import { smtpdPlugin } from './index.ts'

// Every other error code at its status, and the fixtures round-trip.

beforeEach(() => setup())

describe('every other error code at its status', () => {
  it('40002 for an unknown grant_type', async () => {
    expectError(await req('POST', '/oauth/token?grant_type=client_credentials'), 'UNSUPPORTED_GRANT')
  })
  it('40302 for plain HTTP when HTTPS is required', async () => {
    await setup({}, { requireHttps: true })
    const res = await app.request(
      '/oauth/me',
      {},
      { mailfront: { requestId: 'r', secure: false, ip: '127.0.0.1' } },
    )
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ code: 40302, message: 'All API requests must be made over HTTPS' })
  })
  it('40402 for an unknown route', async () => {
    expectError(await req('GET', '/api/v1/nothing/here'), 'NOT_FOUND')
  })
  it('41301 for a body over the limit', async () => {
    await setup({}, { bodyLimit: 50 })
    const r = await req('POST', '/api/v1/account', { body: { full_name: 'x'.repeat(100) } })
    expect(r).toMatchObject({ status: 413, body: { code: 41301, message: 'Request body too large' } })
  })
  it('42901 with Retry-After after too many password grants', async () => {
    await setup({ grant_attempts: '2' })
    await grant(encodeBasic('jack.truong@example.com', 'bad'))
    await grant(encodeBasic('jack.truong@example.com', 'bad'))
    const r = await grant()
    expectError(r, 'RATE_LIMITED')
    expect(r.headers.get('retry-after')).toBe('900')
  })
  it('42901 past the per-principal call limit', async () => {
    await setup({ calls_per_min: '2' })
    const auth = bearer('demo-secret')
    await req('GET', '/api/v1/account', { auth })
    await req('GET', '/api/v1/account', { auth })
    expectError(await req('GET', '/api/v1/account', { auth }), 'RATE_LIMITED')
    // The window is the declared one (`rateLimits`, which --help lists): open again once it passes.
    const window = smtpdPlugin()
      .rateLimits!.find((l) => l.name === 'api-calls')!
      .window(ctx.options as never)!
    expect(window).toEqual({ windowMs: 60_000, max: 2 })
    ctx.clock.advance(window.windowMs - 1)
    expectError(await req('GET', '/api/v1/account', { auth }), 'RATE_LIMITED')
    ctx.clock.advance(1)
    expect((await req('GET', '/api/v1/account', { auth })).status).toBe(200)
  })
  it('50001 for an unexpected failure, without its details', async () => {
    const t = (await grant()).body.access_token
    ctx.storage.count = async () => {
      throw new Error('disk on fire: /var/secret')
    }
    const r = await req('GET', '/api/v1/account', { auth: bearer(t) })
    expect(r).toMatchObject({ status: 500, body: { code: 50001, message: 'Internal error' } })
    expect(JSON.stringify(r.body)).not.toContain('disk')
  })
})

describe('fixtures', () => {
  it('round-trip through export and load', async () => {
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
    expect((await grant(KEY)).status).toBe(200)
    expect((await grant()).status).toBe(200)
  })
})
