import { encodeBasic, hashBcrypt, StoreUnavailableError, sha512Crypt } from '@mailfront/core'
import {
  createTestContext,
  envOptions,
  mountPluginForTest,
  preparePlugin,
  type TestContext,
} from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { commands } from './cli.ts'
import { fixtures } from './fixtures.ts'
import { tmailPlugin } from './index.ts'
import type { TmailOptions } from './options.ts'
import type { TmailState } from './setup.ts'

// Issue #12 for tmail: the admin's Basic auth on the core's login throttle (failures only, refused
// before any check, cached credentials included), 503 `{msg, raw}` while the store is down, and
// hashes from fixtures and the CLI bounded.
const ADMIN = encodeBasic('admin', 'admin')
let ctx: TestContext<TmailOptions, TmailState>
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

// bcrypt at its lowest accepted cost keeps many failures fast; the throttle does not depend on the cost.
const adminHash = await hashBcrypt('admin', 4)

async function setup(options: Record<string, string> = {}) {
  const plugin = tmailPlugin()
  ctx = preparePlugin(plugin, createTestContext({ options: envOptions(plugin, options) }))
  ;({ app } = await mountPluginForTest(plugin, ctx))
  await fixtures.load(ctx, fixtures.schema.parse({ admin: { login: 'admin', password: adminHash } }))
}

const get = (auth: string, ip = '192.0.2.1', path = '/users') =>
  app.request(path, { headers: { Authorization: auth } }, { mailfront: { requestId: 'r', secure: true, ip } })

beforeEach(() => setup())

describe('tmail login throttle', () => {
  it('never refuses the admin logging in with the right password 100 times in a minute', async () => {
    for (let i = 0; i < 100; i++) {
      expect((await get(ADMIN)).status).toBe(200)
      ctx.clock.advance(500)
    }
  })

  it('refuses before checking once a (login, address) has failed 10 times: even a cached right password', async () => {
    expect((await get(ADMIN)).status).toBe(200) // the right credential is now in the cache
    for (let i = 0; i < 10; i++) expect((await get(encodeBasic('admin', `guess${i}`))).status).toBe(401)
    const res = await get(ADMIN)
    expect(res.status).toBe(403)
    expect(res.headers.get('retry-after')).toBe('900')
    expect(await res.text()).toBe('{"msg":"too many authentication attempts","raw":""}')
    // Another address is not refused; after the window the pair is free again.
    expect((await get(ADMIN, '192.0.2.2')).status).toBe(200)
    ctx.clock.advance(900_000)
    expect((await get(ADMIN)).status).toBe(200)
  })

  it("resists lockout: a stranger's failures from many addresses leave the admin's own address open", async () => {
    await setup({ login_ceiling: '30' })
    expect((await get(ADMIN, '203.0.113.5')).status).toBe(200)
    for (let a = 0; a < 6; a++)
      for (let i = 0; i < 10; i++) await get(encodeBasic('admin', 'x'), `198.51.100.${a}`)
    expect((await get(ADMIN, '192.0.2.77')).status).toBe(403)
    expect((await get(ADMIN, '203.0.113.5')).status).toBe(200)
  })
})

describe('tmail throttle options', () => {
  it('stops on the removed AUTH_ATTEMPTS_PER_MIN, saying what to set instead', async () => {
    await expect(setup({ auth_attempts_per_min: '30' })).rejects.toThrow(
      'MAILFRONT_TMAIL_AUTH_ATTEMPTS_PER_MIN is gone (it counted successful checks too): set MAILFRONT_TMAIL_LOGIN_FAILURES',
    )
    await expect(setup({ login_failures: 'many' })).rejects.toThrow(
      'MAILFRONT_TMAIL_LOGIN_FAILURES must be a whole number (got "many")',
    )
  })

  it('refuses the other bad options in one line naming the variable', async () => {
    await expect(setup({ admin_login: 'ops' })).rejects.toThrow(
      'MAILFRONT_TMAIL_ADMIN_LOGIN and MAILFRONT_TMAIL_ADMIN_PASSWORD must be set together',
    )
    await expect(setup({ admin_login: 'a:b', admin_password: 'x' })).rejects.toThrow(
      'MAILFRONT_TMAIL_ADMIN_LOGIN must be non-empty and contain no ":"',
    )
    await expect(setup({ default_quota: '2T' })).rejects.toThrow(
      'MAILFRONT_TMAIL_DEFAULT_QUOTA must be bytes or a number with K, M or G (got "2T")',
    )
    await expect(setup({ home_base: 'mail/' })).rejects.toThrow(
      'MAILFRONT_TMAIL_HOME_BASE must be an absolute path',
    )
  })
})

describe('tmail while the store is unavailable', () => {
  it('answers 503 {msg, raw} with Retry-After, not 500', async () => {
    expect((await get(ADMIN)).status).toBe(200)
    ctx.storage.findOne = async () => {
      throw new StoreUnavailableError(
        'sqlite',
        Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }),
      )
    }
    const res = await get(ADMIN, '192.0.2.1', '/users/toorop@tmail.io')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(await res.text()).toBe('{"msg":"service temporarily unavailable","raw":""}')
  })
})

describe('tmail hash bounds', () => {
  const bcrypt31 = `$2a$31$${'a'.repeat(53)}`
  it('fixtures refuse out-of-bounds Passwd, DovePasswd and admin hashes, naming the field', async () => {
    const dove = await sha512Crypt('motdepasse', 'abcdef0123456789')
    const user = { Login: 'a@tmail.io', HaveMailbox: true }
    const cases: [unknown, (string | number)[], string][] = [
      [
        { users: [{ ...user, Passwd: bcrypt31, DovePasswd: dove }] },
        ['users', 0, 'Passwd'],
        'bcrypt cost must be 4..12, got 31',
      ],
      [
        {
          users: [
            {
              ...user,
              Passwd: await hashBcrypt('motdepasse', 4),
              DovePasswd: `$6$rounds=999999999$abcdef0123456789$${'a'.repeat(86)}`,
            },
          ],
        },
        ['users', 0, 'DovePasswd'],
        'SHA-512 crypt rounds must be 1000..25000, got 999999999',
      ],
      [
        { admin: { login: 'admin', password: bcrypt31 } },
        ['admin', 'password'],
        'bcrypt cost must be 4..12, got 31',
      ],
    ]
    for (const [data, path, message] of cases) {
      const r = fixtures.schema.safeParse(data)
      expect(r.success).toBe(false)
      expect(r.error!.issues.find((i) => i.message === message)?.path).toEqual(path)
    }
  })

  it('`tmail admin set` refuses an out-of-bounds hash and keeps one within bounds', async () => {
    const set = commands.find((c) => c.path.join(' ') === 'tmail admin set')!
    await expect(set.run(ctx, ['ops', bcrypt31], {})).rejects.toThrow('bcrypt cost must be 4..12, got 31')
    await set.run(ctx, ['ops', await hashBcrypt('ops-pass', 4)], {})
    ctx.clock.advance(3_000) // the stored admin is read again after 1 s
    expect((await get(encodeBasic('ops', 'ops-pass'), '192.0.2.3')).status).toBe(200)
  })
})
