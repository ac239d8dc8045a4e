import { OpenAPIHono } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../errors.ts'
import { createTestContext } from '../testing/context.ts'
import { encodeBasic } from './headers.ts'
import { hashBcrypt } from './passwords.ts'
import { defineAuthScheme, passwordAuth } from './scheme.ts'

const hash = hashBcrypt('right', 4)

describe('passwordAuth', () => {
  it('verify: concurrent identical checks pay one slow hash, a repeat none, a wrong one its own', async () => {
    const ctx = createTestContext()
    const auth = passwordAuth(ctx, { plugin: 'p' })
    const stored = await hash
    const oks = await Promise.all(Array.from({ length: 20 }, () => auth.verify('u', 'right', stored)))
    expect(oks.every(Boolean)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(1)
    expect(await auth.verify('u', 'right', stored)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(1)
    expect(await auth.verify('u', 'wrong', stored)).toBe(false)
    expect(ctx.counters.slowHashes).toBe(2)
    auth.invalidate('u')
    expect(await auth.verify('u', 'right', stored)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(3)
  })

  it('verify: an unknown account costs a slow hash too; with cache off every check pays', async () => {
    const ctx = createTestContext()
    const auth = passwordAuth(ctx, { plugin: 'p', cache: false })
    expect(await auth.verify('nobody', 'x', null)).toBe(false)
    expect(await auth.verify('u', 'right', await hash)).toBe(true)
    expect(await auth.verify('u', 'right', await hash)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(3)
  })

  it('verify with a login: both the login and the password must match', async () => {
    const ctx = createTestContext()
    const auth = passwordAuth(ctx, { plugin: 'p' })
    const stored = await hash
    expect(await auth.verify('admin', 'right', stored, 'admin')).toBe(true)
    expect(await auth.verify('admin', 'right', stored, 'other')).toBe(false)
    expect(await auth.verify('admin', 'wrong', stored, 'admin')).toBe(false)
  })

  it('attempt: failures are counted and throttled, a success is never refused', async () => {
    const ctx = createTestContext()
    const auth = passwordAuth(ctx, {
      plugin: 'p',
      limits: { perLoginAndAddress: 2 },
      denied: () => new ApiError('NO', 401, 'no'),
      refused: (s) => new ApiError('SLOW_DOWN', 403, `wait ${s}`),
    })
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: ApiError) => e.code,
      )
    expect(await code(auth.attempt('u', '192.0.2.1', async () => null))).toBe('NO')
    expect(await code(auth.attempt('u', '192.0.2.1', async () => null))).toBe('NO')
    expect(ctx.counters.authFailures).toBe(2)
    let checked = false
    const refused = auth.attempt('u', '192.0.2.1', async () => {
      checked = true
      return 1
    })
    await expect(refused).rejects.toMatchObject({ code: 'SLOW_DOWN', message: 'wait 900' })
    expect(checked).toBe(false)
    expect(ctx.counters.rateLimited).toBe(1)
    expect(await auth.attempt('u', '192.0.2.2', async () => 'me')).toBe('me')
    expect(await auth.attempt('u', '192.0.2.2', async () => 'me')).toBe('me')
    expect(ctx.counters.authFailures).toBe(2)
  })

  it('failure counts an authFailure and answers the error to throw', () => {
    const ctx = createTestContext()
    const auth = passwordAuth(ctx, { plugin: 'p' })
    expect(auth.failure()).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    const own = new Error('own')
    expect(auth.failure(own)).toBe(own)
    expect(ctx.counters.authFailures).toBe(2)
  })
})

describe('defineAuthScheme', () => {
  it('yields the securitySchemes entry, the security requirement and the credential reader', () => {
    const basic = defineAuthScheme('xBasic', { type: 'basic', description: 'B' })
    const bearer = defineAuthScheme('xBearer', { type: 'bearer', bearerFormat: 'JWT', description: 'T' })
    const header = defineAuthScheme('xKey', { type: 'header', header: 'X-Key', description: 'K' })
    expect(JSON.stringify(basic.openapi)).toBe('{"type":"http","scheme":"basic","description":"B"}')
    expect(JSON.stringify(bearer.openapi)).toBe(
      '{"type":"http","scheme":"bearer","bearerFormat":"JWT","description":"T"}',
    )
    expect(JSON.stringify(header.openapi)).toBe(
      '{"type":"apiKey","in":"header","name":"X-Key","description":"K"}',
    )
    expect(basic.security).toEqual({ xBasic: [] })
    expect(basic.read(encodeBasic('u', 'p'))).toEqual({ username: 'u', password: 'p' })
    expect(bearer.read('Bearer abc')).toBe('abc')
    expect(basic.read('Bearer abc')).toBeNull()
    const app = new OpenAPIHono()
    basic.register(app as never)
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    expect(doc.components?.securitySchemes).toEqual({ xBasic: basic.openapi })
  })
})
