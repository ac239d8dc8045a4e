import { beforeAll, describe, expect, it } from 'vitest'
import { call, login, setup } from '../test/plugin-harness.ts'

// Login levels and what each session may reach.

describe('levels and scope', () => {
  let admin: string
  let reseller: string
  let account: string
  beforeAll(async () => {
    await setup()
    admin = await login('demo_admin', 'demo-admin-pass')
    reseller = await login('demo_reseller', 'demo-reseller-pass')
    account = await login('test_account', '123456')
    await call('account.add', { account: 'other_account', password: 'secret1', plan: 'profi' }, admin)
    await call('domain.add', { account: 'other_account', domain: 'other.test', password: 'domainpw' }, admin)
  })

  it('reports each login level', async () => {
    expect((await call('auth', { user: 'demo_admin', pass: 'demo-admin-pass' })).result.level).toBe('admin')
    expect((await call('auth', { user: 'demo_reseller', pass: 'demo-reseller-pass' })).result.level).toBe(
      'reseller',
    )
  })

  it('keeps an account session to its own account, domains and mailboxes', async () => {
    expect((await call('account.get', { account: 'test_account' }, account)).result.account).toBe(
      'test_account',
    )
    expect((await call('account.get', { account: 'other_account' }, account)).error).toEqual({
      code: 2,
      message: 'Access denied',
    })
    expect((await call('domain.list', { account: 'other_account' }, account)).error.code).toBe(2)
    expect((await call('domain.get', { domain: 'other.test' }, account)).error.code).toBe(2)
    expect((await call('test.accountallowed', { account: 'other_account' }, account)).result).toBe(false)
    expect((await call('test.domainallowed', { domain: 'domain1.test' }, account)).result).toBe(true)
    expect((await call('account.list', '', account)).error.code).toBe(2)
  })

  it('lets a reseller reach only the accounts it created', async () => {
    const list = (await call('account.list', '', reseller)).result.map((a: { account: string }) => a.account)
    expect(list).toEqual(['test_account'])
    expect((await call('account.get', { account: 'other_account' }, reseller)).error.code).toBe(2)
    const made = await call(
      'account.add',
      { account: 'resold_one', password: 'secret1', plan: 'basic' },
      reseller,
    )
    expect(made.result).toMatchObject({ account: 'resold_one', plan: 'basic', type: 'BMBO', status: 'aktiv' })
    expect((await call('account.get', { account: 'resold_one' }, reseller)).result.account).toBe('resold_one')
    expect(
      (
        await call(
          'mail.add',
          {
            mail: 'x@domain2.test',
            password: 'secret1',
            plan: 'light',
            first_name: 'X',
            last_name: 'Y',
            inboxsave: true,
            forwards: [],
          },
          reseller,
        )
      ).error.code,
    ).toBe(2)
  })

  it('lets the admin reach everything', async () => {
    expect((await call('account.get', { account: 'other_account' }, admin)).result.plan).toBe('profi')
    expect((await call('search', { query: 'test' }, admin)).result.domains).toContain('other.test')
    expect((await call('search', { query: 'test' }, account)).result.domains).not.toContain('other.test')
  })

  it('keeps domain and mail sessions to their domain and mailbox', async () => {
    const dom = await login('other.test', 'domainpw')
    expect((await call('auth', { user: 'other.test', pass: 'domainpw' })).result.level).toBe('domain')
    const added = await call(
      'mail.add',
      {
        mail: 'Boss@other.test',
        password: 'mailpw1',
        plan: 'premium',
        first_name: 'B',
        last_name: 'O',
        inboxsave: true,
        forwards: [],
      },
      dom,
    )
    expect(added.result).toMatchObject({
      mail: 'boss@other.test',
      domain: 'other.test',
      parent_uid: 'other_account',
      type: 'inbox',
    })
    expect((await call('mail.list', { domain: 'domain1.test' }, dom)).error.code).toBe(2)
    const mailbox = await login('boss@other.test', 'mailpw1')
    expect((await call('mail.get', { mail: 'boss@other.test' }, mailbox)).result.mail).toBe('boss@other.test')
    expect((await call('mail.get', { mail: 'user1@domain1.test' }, mailbox)).error.code).toBe(2)
    expect((await call('mail.set', { mail: 'boss@other.test', plan: 'light' }, mailbox)).error.code).toBe(2)
    expect((await call('domain.list', { account: 'other_account' }, mailbox)).error.code).toBe(2)
  })

  it('answers its own codes for unknown and duplicate objects', async () => {
    expect((await call('account.get', { account: 'ghost' }, admin)).error).toEqual({
      code: 1001,
      message: 'Account not found',
    })
    expect(
      (
        await call(
          'domain.add',
          { account: 'test_account', domain: 'domain1.test', password: 'secret1' },
          account,
        )
      ).error,
    ).toEqual({
      code: 1004,
      message: 'Domain already exists',
    })
    expect((await call('mail.get', { mail: 'ghost@domain1.test' }, account)).error.code).toBe(1005)
  })
})
