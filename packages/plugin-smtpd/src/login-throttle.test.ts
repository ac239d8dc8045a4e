import { encodeBasic, hashBcrypt, StoreUnavailableError } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { demo as pluginDemo } from './demo.ts'
import { fixtures } from './fixtures.ts'
import { smtpdPlugin } from './index.ts'

// The core's login throttle as SMTPD uses it (issue #12): only failures count, per (login, address)
// and per address, with a per-login ceiling that a stranger cannot turn into a lockout.
const JACK = encodeBasic('jack.truong@example.com', 'demo-password')
const WRONG = encodeBasic('jack.truong@example.com', 'wrong-password')

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

// bcrypt at its lowest accepted cost keeps 100 logins fast; the throttle does not depend on the cost.
const demo = structuredClone(pluginDemo.data)
demo.accounts[0]!.users[0]!.password = await hashBcrypt('demo-password', 4)

async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options: envOptions(smtpdPlugin(), options) })
  ;({ app } = await mountPluginForTest(smtpdPlugin(), ctx))
  await fixtures.load(ctx, fixtures.schema.parse(demo))
}

async function grant(auth: string, ip = '192.0.2.1') {
  const res = await app.request(
    '/oauth/token?grant_type=password',
    { method: 'POST', headers: { Authorization: auth } },
    { mailfront: { requestId: 'r', secure: true, ip } },
  )
  return { status: res.status, headers: res.headers, body: await res.json() }
}

beforeEach(() => setup())

describe('SMTPD login throttle', () => {
  it('never refuses a client that logs in with the right password 100 times in a minute', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await grant(JACK)
      expect(r.status).toBe(200)
      ctx.clock.advance(500)
    }
  })

  it('stops brute force per (login, address) with 42901 and Retry-After, before checking', async () => {
    for (let i = 0; i < 10; i++)
      expect((await grant(WRONG)).body).toEqual({
        code: 40102,
        message: 'Username and password are incorrect',
      })
    const refused = await grant(JACK)
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ code: 42901, message: 'Too many login attempts, try again later' })
    expect(refused.headers.get('retry-after')).toBe('900')
    // An unknown user answers like a wrong password, and is counted like one.
    const unknown = encodeBasic('nobody@example.com', 'x')
    for (let i = 0; i < 10; i++)
      expect((await grant(unknown, '192.0.2.9')).body).toEqual({
        code: 40102,
        message: 'Username and password are incorrect',
      })
    expect((await grant(unknown, '192.0.2.9')).status).toBe(429)
    ctx.clock.advance(900_000)
    expect((await grant(JACK)).status).toBe(200)
  })

  it("resists lockout: a stranger's failures from other addresses leave the user's own address open", async () => {
    await setup({ login_ceiling: '30' })
    expect((await grant(JACK, '203.0.113.5')).status).toBe(200)
    for (let a = 0; a < 6; a++) for (let i = 0; i < 10; i++) await grant(WRONG, `198.51.100.${a}`)
    expect((await grant(JACK, '198.51.100.0')).status).toBe(429)
    expect((await grant(JACK, '203.0.113.5')).status).toBe(200)
  })

  it('throttles wrong API-key secrets per address on /api/v1', async () => {
    const get = (secret: string) =>
      app.request(
        '/api/v1/account',
        { headers: { Authorization: `Bearer ${secret}` } },
        { mailfront: { requestId: 'r', secure: true, ip: '192.0.2.50' } },
      )
    for (let i = 0; i < 10; i++) expect((await get(`guess${i}`)).status).toBe(401)
    const r = await get('demo-secret')
    expect(r.status).toBe(429)
    expect(await r.json()).toEqual({ code: 42901, message: 'Too many login attempts, try again later' })
    // The right secret from another address is served, 100 times.
    for (let i = 0; i < 100; i++)
      expect(
        (
          await app.request(
            '/api/v1/account',
            { headers: { Authorization: 'Bearer demo-secret' } },
            { mailfront: { requestId: 'r', secure: true, ip: '192.0.2.51' } },
          )
        ).status,
      ).toBe(200)
  })

  it('keeps the older option names: GRANT_ATTEMPTS and GRANT_WINDOW_S', async () => {
    await setup({ grant_attempts: '2', grant_window_s: '60' })
    await grant(WRONG)
    await grant(WRONG)
    const r = await grant(JACK)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('60')
  })

  it('prefers the new names when both are set, and refuses a bad value naming the variable', async () => {
    await setup({ grant_attempts: '5', login_failures: '2', login_window_s: '30', grant_window_s: '60' })
    await grant(WRONG)
    await grant(WRONG)
    const r = await grant(JACK)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('30')
    await expect(setup({ grant_window_s: '0' })).rejects.toThrow(
      'MAILFRONT_SMTPD_GRANT_WINDOW_S must be a whole number ≥ 1 (got "0")',
    )
    await expect(setup({ issuer: ' ' })).rejects.toThrow('MAILFRONT_SMTPD_ISSUER must not be empty')
    await expect(setup({ tracking_base_url: 'track.test' })).rejects.toThrow(
      'MAILFRONT_SMTPD_TRACKING_BASE_URL must be an http(s) URL (got "track.test")',
    )
  })
})

describe('SMTPD while the store is unavailable', () => {
  it('answers 503 {code: 50301} with Retry-After, not 500', async () => {
    ctx.storage.findOne = async () => {
      throw new StoreUnavailableError('postgres', new Error('Connection terminated unexpectedly'))
    }
    const r = await grant(JACK)
    expect(r.status).toBe(503)
    expect(r.headers.get('retry-after')).toBe('5')
    expect(r.body).toEqual({ code: 50301, message: 'Service temporarily unavailable, try again later' })
  })
})

describe('SMTPD fixtures: hash bounds', () => {
  it('refuses a bcrypt cost outside 4..12, naming the field', () => {
    const bad = structuredClone(pluginDemo.data)
    bad.accounts[0]!.users[0]!.password = `$2a$31$${'a'.repeat(53)}`
    const r = fixtures.schema.safeParse(bad)
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]).toMatchObject({
      path: ['accounts', 0, 'users', 0, 'password'],
      message: 'bcrypt cost must be 4..12, got 31',
    })
  })
})
