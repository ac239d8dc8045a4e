import { encodeBasic, hashBcrypt, StoreUnavailableError } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { accountFixture, fixturesSchema, upsertAccount } from './fixtures.ts'
import { authsmtpPlugin } from './index.ts'

// Issue #12 for AuthSMTP: a login throttle (it had none), failures only; the XML error object at 503
// while the store is down; API password hashes from fixtures bounded.
const RIGHT = encodeBasic('aa12345', 'demo-api-password')
const xmlError = (code: number, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>${code}</code>\n    <message>${message}</message>\n  </error>\n</result>\n`

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options: envOptions(authsmtpPlugin(), { rate_window_s: '0', ...options }) })
  ;({ app } = await mountPluginForTest(authsmtpPlugin(), ctx))
  await upsertAccount(
    ctx,
    accountFixture.parse({
      user_id: 'aa12345',
      // bcrypt at its lowest accepted cost keeps many failures fast; the throttle does not depend on it.
      api_password: await hashBcrypt('demo-api-password', 4),
      messages_limit: 1000,
      data_limit: 209715200,
    }),
  )
}

const get = (auth: string, ip = '192.0.2.1', user = 'aa12345') =>
  app.request(
    `/restful/basic_user/${user}`,
    { headers: { Authorization: auth } },
    { mailfront: { requestId: 'r', secure: true, ip } },
  )

beforeEach(() => setup())

describe('AuthSMTP login throttle', () => {
  it('refuses the right password after 10 wrong ones from one address: 200 + the XML error object, Retry-After', async () => {
    // Today's main answered 190 wrong passwords with 401, then the right one with 200.
    for (let i = 0; i < 10; i++) {
      const r = await get(encodeBasic('aa12345', `wrong${i}`))
      expect(r.status).toBe(401)
      expect(await r.text()).toBe('Not Authorized')
    }
    for (let i = 0; i < 180; i++) expect((await get(encodeBasic('aa12345', `more${i}`))).status).toBe(200)
    const r = await get(RIGHT)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
    expect(r.headers.get('retry-after')).toBe('900')
    expect(await r.text()).toBe(xmlError(1, 'Rate limit exceeded: too many failed logins, try again later'))
    expect(ctx.counters.rateLimited).toBe(181)
    // The window ends: the right password is served again.
    ctx.clock.advance(900_000)
    expect(await (await get(RIGHT)).text()).toContain('<basic_user>')
  })

  it('never refuses the right password 100 times in a minute (the per-user rate limit aside)', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await get(RIGHT)
      expect(await r.text()).toContain('<basic_user>')
      ctx.clock.advance(500)
    }
  })

  it("resists lockout: a stranger's failures from many addresses leave the user's own address open", async () => {
    await setup({ login_ceiling: '30' })
    expect((await get(RIGHT, '203.0.113.5')).status).toBe(200)
    for (let a = 0; a < 6; a++)
      for (let i = 0; i < 10; i++) await get(encodeBasic('aa12345', 'x'), `198.51.100.${a}`)
    expect(await (await get(RIGHT, '192.0.2.99')).text()).toContain('too many failed logins')
    expect(await (await get(RIGHT, '203.0.113.5')).text()).toContain('<basic_user>')
  })

  it('counts an unknown user like a wrong password, and answers it the same', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await get(encodeBasic('zz00000', 'x'), '192.0.2.1', 'zz00000')
      expect([r.status, await r.text()]).toEqual([401, 'Not Authorized'])
    }
    expect(await (await get(encodeBasic('zz00000', 'x'), '192.0.2.1', 'zz00000')).text()).toContain(
      'too many failed logins',
    )
  })
})

describe('AuthSMTP while the store is unavailable', () => {
  it('answers 503 with the XML error object and Retry-After, not 500', async () => {
    ctx.storage.findOne = async () => {
      throw new StoreUnavailableError('postgres', new Error('Connection terminated unexpectedly'))
    }
    const r = await get(RIGHT)
    expect(r.status).toBe(503)
    expect(r.headers.get('retry-after')).toBe('5')
    expect(r.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
    expect(await r.text()).toBe(xmlError(9, 'Service temporarily unavailable, try again later'))
  })
})

describe('AuthSMTP fixtures: hash bounds', () => {
  it('refuses an API password hash whose bcrypt cost is out of bounds, naming the field', () => {
    const r = fixturesSchema.safeParse({
      accounts: [
        { user_id: 'aa1', api_password: `$2y$13$${'a'.repeat(53)}`, messages_limit: 1, data_limit: 1 },
      ],
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]).toMatchObject({
      path: ['accounts', 0, 'api_password'],
      message: 'bcrypt cost must be 4..12, got 13',
    })
  })
})
