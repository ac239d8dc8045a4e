import { beforeAll, describe, expect, it } from 'vitest'
import { call, login, setup } from '../test/plugin-harness.ts'

// A mailbox's blacklist, spam and vacation settings, app passwords; mailing lists and contexts.

describe('mailbox sub-resources, mailing lists, contexts', () => {
  let account: string
  beforeAll(async () => {
    await setup()
    account = await login('test_account', '123456')
  })
  const M = 'user1@domain1.test'

  it('keeps a blacklist', async () => {
    expect((await call('mail.blacklist.list', { mail: M }, account)).result).toEqual([])
    expect(
      (await call('mail.blacklist.add', { mail: M, add_address: 'Spam@Example.com' }, account)).result,
    ).toEqual(['spam@example.com'])
    expect((await call('mail.blacklist.add', { mail: M, add_address: 'b@x.io' }, account)).result).toEqual([
      'spam@example.com',
      'b@x.io',
    ])
    expect(
      (await call('mail.blacklist.del', { mail: M, delete_address: 'spam@example.com' }, account)).result,
    ).toEqual(['b@x.io'])
    expect((await call('mail.get', { mail: M }, account)).result).not.toHaveProperty('blacklist')
  })

  it('sets spam protection and a vacation notice, and reads them back', async () => {
    expect((await call('mail.spamprotect.get', { mail: M }, account)).result.killevel).toBe('route')
    const settings = {
      greylist: '0',
      smtp_plausibility: '1',
      rbl: '1',
      bypass_banned_checks: '0',
      tag2level: 6.3,
      killevel: 'reject',
      route_to: '',
    }
    expect((await call('mail.spamprotect.set', { mail: M, ...settings }, account)).result).toEqual(settings)
    expect((await call('mail.spamprotect.get', { mail: M }, account)).result).toEqual(settings)
    expect((await call('mail.spamprotect.set', { mail: M, greylist: '1' }, account)).error.code).toBe(-32602)
    const notice = {
      subject: 'Away',
      body: 'Back soon',
      start_date: '2026-07-01',
      end_date: '2026-07-14',
      additional_mail_addresses: [],
    }
    expect((await call('mail.vacation.set', { mail: M, ...notice }, account)).result).toBe(true)
    expect((await call('mail.vacation.get', { mail: M }, account)).result).toEqual(notice)
    expect(
      (await call('mail.vacation.set', { mail: M, ...notice, end_date: '2026-06-01' }, account)).error.code,
    ).toBe(1009)
  })

  it('creates app passwords shown once, lists them without it, deletes them within scope', async () => {
    const added = (await call('mail.apppassword.add', { mail: M, memo: 'phone' }, account)).result
    expect(added).toMatchObject({ memo: 'phone', imap_allowed: true, smtp_allowed: true })
    expect(added.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    const list = (await call('mail.apppassword.list', { mail: M }, account)).result
    expect(list).toEqual([
      { id: added.id, memo: 'phone', imap_allowed: true, smtp_allowed: true, created: expect.any(String) },
    ])
    const admin = await login('demo_admin', 'demo-admin-pass')
    await call('account.add', { account: 'other_acc', password: 'secret1', plan: 'basic' }, admin)
    const other = await login('other_acc', 'secret1')
    expect((await call('mail.apppassword.del', { id: added.id }, other)).error.code).toBe(2)
    expect((await call('mail.apppassword.del', { id: added.id }, account)).result).toBe(true)
    // Gone: below admin a missing id answers like another tenant's (scope before existence); the
    // admin learns it is missing.
    expect((await call('mail.apppassword.del', { id: added.id }, account)).error.code).toBe(2)
    expect((await call('mail.apppassword.del', { id: added.id }, admin)).error.code).toBe(1010)
  })

  it('manages mailing lists and lists contexts', async () => {
    expect(
      (
        await call(
          'mailinglist.add',
          {
            mailinglist: 'Team',
            password: 'secret1',
            account: 'test_account',
            adminmail: 'boss@domain1.test',
          },
          account,
        )
      ).result,
    ).toBe(true)
    expect(
      (
        await call(
          'mailinglist.add',
          { mailinglist: 'team', password: 'secret1', account: 'test_account' },
          account,
        )
      ).error.code,
    ).toBe(1012)
    expect((await call('mailinglist.list', { account: 'test_account' }, account)).result).toEqual([
      { mailinglist: 'team', account: 'test_account', adminmail: 'boss@domain1.test' },
    ])
    expect(
      (
        await call(
          'mailinglist.set',
          { mailinglist: 'team', account: 'test_account', adminmail: 'x@domain1.test' },
          account,
        )
      ).result,
    ).toBe(true)
    expect(
      (await call('mailinglist.get', { mailinglist: 'team', account: 'test_account' }, account)).result
        .adminmail,
    ).toBe('x@domain1.test')
    expect(
      (await call('mailinglist.del', { mailinglist: 'team', account: 'test_account' }, account)).result,
    ).toBe(true)
    expect(
      (await call('mailinglist.get', { mailinglist: 'team', account: 'test_account' }, account)).error.code,
    ).toBe(1011)
    expect((await call('context.list', { account: 'test_account' }, account)).result).toEqual({
      '': ['domain1.test', 'domain2.test', 'domain3.test', 'domain4.test'],
    })
  })
})
