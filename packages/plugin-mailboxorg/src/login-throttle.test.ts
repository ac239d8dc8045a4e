import { hashBcrypt, StoreUnavailableError, sha512Crypt } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { demo as pluginDemo } from './demo.ts'
import { fixtures } from './fixtures.ts'
import { mailboxorgPlugin } from './index.ts'

// Issue #12 for mailbox.org: `auth` on the core's login throttle (failures only), a 503 JSON-RPC
// error while the store is down, and `password_hash` bounded and settable only by the levels that
// create mailboxes.
// bcrypt at its lowest accepted cost keeps 100 logins fast; the throttle does not depend on the cost.
const demo = structuredClone(pluginDemo.data)
demo.accounts[0]!.password = await hashBcrypt('123456', 4)

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options: envOptions(mailboxorgPlugin(), options) })
  ;({ app } = await mountPluginForTest(mailboxorgPlugin(), ctx))
  await fixtures.load(ctx, fixtures.schema.parse(demo))
}

async function rpc(method: string, params: unknown, opts: { session?: string; ip?: string } = {}) {
  const res = await app.request(
    '/v1/',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(opts.session ? { 'HPLS-AUTH': opts.session } : {}) },
      body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
    },
    { mailfront: { requestId: 'r', secure: true, ip: opts.ip ?? '192.0.2.1' } },
  )
  return { status: res.status, headers: res.headers, body: await res.json() }
}
const auth = (user: string, pass: string, ip?: string) => rpc('auth', { user, pass }, { ip })

beforeEach(() => setup())

describe('mailbox.org login throttle', () => {
  it('never refuses a client that logs in with the right password 100 times in a minute', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await auth('test_account', '123456')
      expect(r.body.result?.level).toBe('account')
      ctx.clock.advance(500)
    }
  })

  it('stops brute force per (user, address) with code 2 and a message to wait, before checking', async () => {
    for (let i = 0; i < 10; i++)
      expect((await auth('test_account', 'wrong')).body.error).toEqual({ code: 2, message: 'Access denied' })
    expect((await auth('test_account', '123456')).body.error).toEqual({
      code: 2,
      message: 'Access denied: too many failed logins, wait 900 seconds',
    })
    // The same user from another address is not refused.
    expect((await auth('test_account', '123456', '192.0.2.2')).body.result.level).toBe('account')
  })

  it("resists lockout: a stranger's failures from many addresses leave the user's own address open", async () => {
    await setup({ login_ceiling: '30' })
    expect((await auth('test_account', '123456', '203.0.113.5')).body.result).toBeDefined()
    for (let a = 0; a < 6; a++)
      for (let i = 0; i < 10; i++) await auth('test_account', 'x', `198.51.100.${a}`)
    expect((await auth('test_account', '123456', '198.51.100.1')).body.error.code).toBe(2)
    expect((await auth('test_account', '123456', '203.0.113.5')).body.result.level).toBe('account')
  })

  it('keeps the older option names: AUTH_ATTEMPTS and AUTH_WINDOW_S', async () => {
    await setup({ auth_attempts: '2', auth_window_s: '60' })
    await auth('test_account', 'wrong')
    await auth('test_account', 'wrong')
    expect((await auth('test_account', '123456')).body.error.message).toBe(
      'Access denied: too many failed logins, wait 60 seconds',
    )
  })
})

describe('mailbox.org while the store is unavailable', () => {
  it('answers HTTP 503, Retry-After, and the JSON-RPC error -32000 with the call id', async () => {
    ctx.storage.findOne = async () => {
      throw new StoreUnavailableError('postgres', new Error('Connection terminated unexpectedly'))
    }
    const r = await auth('test_account', '123456')
    expect(r.status).toBe(503)
    expect(r.headers.get('retry-after')).toBe('5')
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Service temporarily unavailable, try again later' },
      id: '1',
    })
    // Methods that need no store still answer.
    const hello = await rpc('hello.world', '')
    expect(hello).toMatchObject({ status: 200, body: { result: 'Hello World!' } })
  })
})

describe('mailbox.org password_hash', () => {
  const NEW = {
    mail: 'hash@domain2.test',
    plan: 'standard',
    first_name: 'Ann',
    last_name: 'Lee',
    inboxsave: true,
    forwards: [],
  }

  it('refuses SHA-512 crypt rounds and bcrypt costs out of bounds with Invalid params', async () => {
    const account = (await auth('test_account', '123456')).body.result.session
    for (const [hash, message] of [
      [
        `$6$rounds=999999999$abcdef0123456789$${'a'.repeat(86)}`,
        'SHA-512 crypt rounds must be 1000..25000, got 999999999',
      ],
      [`$2a$31$${'a'.repeat(53)}`, 'bcrypt cost must be 4..12, got 31'],
    ]) {
      const r = await rpc('mail.add', { ...NEW, password_hash: hash }, { session: account })
      expect(r.body.error).toEqual({
        code: -32602,
        message: 'Invalid params',
        data: [{ path: ['password_hash'], message }],
      })
      const s = await rpc(
        'mail.set',
        { mail: 'user1@domain1.test', password_hash: hash },
        { session: account },
      )
      expect(s.body.error.code).toBe(-32602)
    }
  })

  it('lets the account set a hash within bounds (which then logs in), but not the mailbox itself', async () => {
    const account = (await auth('test_account', '123456')).body.result.session
    const hash = await sha512Crypt('Mailbox-Pass-1', 'abcdef0123456789', 1000)
    expect(
      (await rpc('mail.add', { ...NEW, password_hash: hash }, { session: account })).body.result.mail,
    ).toBe('hash@domain2.test')
    const mail = (await auth('hash@domain2.test', 'Mailbox-Pass-1')).body.result
    expect(mail.level).toBe('mail')
    const other = await sha512Crypt('Other-Pass-2', 'abcdef0123456789', 5000)
    expect(
      (await rpc('mail.set', { mail: 'hash@domain2.test', password_hash: other }, { session: mail.session }))
        .body.error,
    ).toEqual({ code: 2, message: 'Access denied' })
    // Its own password, in clear, it may change.
    expect(
      (
        await rpc(
          'mail.set',
          { mail: 'hash@domain2.test', password: 'Mailbox-Pass-3' },
          { session: mail.session },
        )
      ).body.result.mail,
    ).toBe('hash@domain2.test')
  })
})

describe('mailbox.org fixtures: hash bounds', () => {
  it('refuses an out-of-bounds hash, naming the JSON path', () => {
    const bad = structuredClone(pluginDemo.data)
    bad.operators[0]!.password = `$6$rounds=30000$abcdef0123456789$${'a'.repeat(86)}`
    const r = fixtures.schema.safeParse(bad)
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]).toMatchObject({
      path: ['operators', 0, 'password'],
      message: 'SHA-512 crypt rounds must be 1000..25000, got 30000',
    })
  })
})
