import { hashPassword } from '@mailfront/core'
import {
  createTestContext,
  mountPluginForTest,
  preparePlugin,
  type TestContext,
} from '@mailfront/core/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import { commands } from './cli.ts'
import { demo } from './demo.ts'
import { fixtures } from './fixtures.ts'
import { mailboxorgPlugin } from './index.ts'
import type { MailboxorgContext } from './setup.ts'
import { ACCOUNT } from './store.ts'

// Tenants do not learn each other's names (scope before existence), and no login shadows another.

// A copy of the plugin's demo data: a test may change what it loads.
const DEMO = structuredClone(demo.data)

let ctx: TestContext
/** The context as the plugin's hooks see it (its options and state), for its CLI commands. */
let prepared: MailboxorgContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

async function call(method: string, params: unknown = '', session?: string) {
  const res = await app.request('/v1/', {
    method: 'POST',
    headers: session ? { 'HPLS-AUTH': session } : {},
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return res.json()
}
const login = async (user: string, pass: string) => {
  const r = await call('auth', { user, pass })
  if (!r.result) throw new Error(`${user}: ${JSON.stringify(r)}`)
  return r.result.session as string
}

const sessions: Record<string, string> = {}
beforeAll(async () => {
  ctx = createTestContext()
  const plugin = mailboxorgPlugin()
  prepared = preparePlugin(plugin, ctx)
  ;({ app } = await mountPluginForTest(plugin, prepared))
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
  const admin = await login('demo_admin', 'demo-admin-pass')
  // Another tenant, with a domain, a mailbox, a mailing list and an app password.
  await call('account.add', { account: 'other_account', password: 'secret1', plan: 'profi' }, admin)
  await call('domain.add', { account: 'other_account', domain: 'other.test', password: 'domainpw' }, admin)
  const mail = {
    password: 'mailpw12',
    plan: 'light',
    first_name: 'O',
    last_name: 'T',
    inboxsave: true,
    forwards: [],
  }
  await call('mail.add', { mail: 'boss@other.test', ...mail }, admin)
  await call('mail.add', { mail: 'me@domain1.test', ...mail }, admin)
  const otherApp = await call('mail.apppassword.add', { mail: 'boss@other.test', memo: 'x' }, admin)
  sessions.otherAppId = String(otherApp.result.id)
  sessions.admin = admin
  sessions.reseller = await login('demo_reseller', 'demo-reseller-pass')
  sessions.account = await login('test_account', '123456')
  await call('domain.set', { domain: 'domain1.test', password: 'domain1pw' }, admin)
  sessions.domain = await login('domain1.test', 'domain1pw')
  sessions.mail = await login('me@domain1.test', 'mailpw12')
})

// [method, params for another tenant's existing object, params for a missing one]
const PROBES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['account.get', { account: 'other_account' }, { account: 'ghost_account' }],
  ['account.set', { account: 'other_account', memo: 'x' }, { account: 'ghost_account', memo: 'x' }],
  ['account.del', { account: 'other_account' }, { account: 'ghost_account' }],
  ['domain.list', { account: 'other_account' }, { account: 'ghost_account' }],
  ['domain.get', { domain: 'other.test' }, { domain: 'ghost.test' }],
  ['domain.set', { domain: 'other.test', memo: 'x' }, { domain: 'ghost.test', memo: 'x' }],
  [
    'domain.del',
    { account: 'other_account', domain: 'other.test' },
    { account: 'ghost_account', domain: 'ghost.test' },
  ],
  ['mail.get', { mail: 'boss@other.test' }, { mail: 'ghost@other.test' }],
  ['mail.get', { mail: 'boss@other.test' }, { mail: 'ghost@ghost.test' }],
  ['mail.set', { mail: 'boss@other.test', memo: 'x' }, { mail: 'ghost@ghost.test', memo: 'x' }],
  ['mail.del', { mail: 'boss@other.test' }, { mail: 'ghost@ghost.test' }],
  ['mail.list', { domain: 'other.test' }, { domain: 'ghost.test' }],
  ['mail.blacklist.list', { mail: 'boss@other.test' }, { mail: 'ghost@ghost.test' }],
  ['mail.vacation.get', { mail: 'boss@other.test' }, { mail: 'ghost@ghost.test' }],
  ['mail.apppassword.list', { mail: 'boss@other.test' }, { mail: 'ghost@ghost.test' }],
  ['mailinglist.list', { account: 'other_account' }, { account: 'ghost_account' }],
  ['mail.apppassword.del', { id: -1 }, { id: 999_999 }],
]

describe('scope before existence', () => {
  it.each(['reseller', 'account', 'domain', 'mail'])(
    'a %s session gets the same answer for another tenant’s object and a missing one',
    async (level) => {
      for (const [method, existing, missing] of PROBES) {
        const ex = method === 'mail.apppassword.del' ? { id: Number(sessions.otherAppId) } : existing
        const a = await call(method, ex, sessions[level])
        const b = await call(method, missing, sessions[level])
        expect({ method, missing, answer: b }).toEqual({ method, missing, answer: a })
        expect({ method, error: a.error?.code, data: a.error?.data }).toEqual({
          method,
          error: 2,
          data: undefined,
        })
      }
    },
  )
  it('the admin still learns what is missing', async () => {
    expect((await call('account.get', { account: 'ghost_account' }, sessions.admin)).error.code).toBe(1001)
    expect((await call('domain.get', { domain: 'ghost.test' }, sessions.admin)).error.code).toBe(1003)
    expect((await call('mail.get', { mail: 'ghost@ghost.test' }, sessions.admin)).error.code).toBe(1005)
    expect((await call('mail.apppassword.del', { id: 999_999 }, sessions.admin)).error.code).toBe(1010)
  })
  it('a missing mailbox in a domain the session holds is "not found"', async () => {
    for (const level of ['account', 'domain'])
      expect((await call('mail.get', { mail: 'ghost@domain1.test' }, sessions[level])).error.code).toBe(1005)
    expect((await call('mail.get', { mail: 'ghost@domain1.test' }, sessions.mail)).error.code).toBe(2)
  })
})

describe('one login per name', () => {
  it('a reseller cannot create an account named like another tenant’s domain; the domain still logs in', async () => {
    const r = await call(
      'account.add',
      { account: 'other.test', password: 'secret1', plan: 'basic' },
      sessions.reseller,
    )
    expect(r.error).toEqual({ code: 1002, message: 'Account already exists' })
    const d = await call('auth', { user: 'other.test', pass: 'domainpw' })
    expect(d.result.level).toBe('domain')
  })
  it('a domain cannot be added under the name of an existing account login', async () => {
    await call(
      'account.add',
      { account: 'shadow.test', password: 'secret1', plan: 'basic' },
      sessions.reseller,
    )
    const r = await call(
      'domain.add',
      { account: 'test_account', domain: 'shadow.test', password: 'secret1' },
      sessions.account,
    )
    expect(r.error).toEqual({ code: 1004, message: 'Domain already exists' })
    expect((await call('auth', { user: 'shadow.test', pass: 'secret1' })).result.level).toBe('account')
  })
  it('the CLI refuses an operator or account named like another login', async () => {
    const run = (path: string, args: string[], opts = {}) =>
      commands.find((c) => c.path.join(' ') === path)!.run(prepared, args, opts)
    await expect(run('mailboxorg operator add', ['other.test', 'reseller', 'pw'])).rejects.toThrow(/already/)
    await expect(run('mailboxorg account add', ['demo_admin'], { plan: 'basic' })).rejects.toThrow(/already/)
  })
  it('a name two kinds share in an older store logs in as neither, at the cost of one slow hash', async () => {
    await ctx.storage.create({
      model: ACCOUNT,
      data: {
        account: 'domain2.test',
        password_hash: await hashPassword('acctpw'),
        plan: 'basic',
        created_at: 1,
      },
    })
    const before = ctx.counters.slowHashes
    expect((await call('auth', { user: 'domain2.test', pass: 'acctpw' })).error.code).toBe(2)
    expect(ctx.counters.slowHashes - before).toBe(1)
  })
})
