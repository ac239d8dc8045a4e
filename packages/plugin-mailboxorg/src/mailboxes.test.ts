import { beforeAll, describe, expect, it } from 'vitest'
import { call, login, setup } from '../test/plugin-harness.ts'
import { wireKeys } from './wire.ts'

// Mailboxes: set/get, passwords, lists, capabilities, deletion, validators.

describe('mailboxes', () => {
  let account: string
  beforeAll(async () => {
    await setup()
    account = await login('test_account', '123456')
  })
  const NEW = {
    mail: 'new@domain2.test',
    password: 'secret1',
    plan: 'standard',
    first_name: 'Ann',
    last_name: 'Lee',
    inboxsave: true,
    forwards: [],
  }

  it('mail.set then mail.get returns what was set', async () => {
    expect((await call('mail.add', NEW, account)).result.mail).toBe('new@domain2.test')
    const set = {
      mail: 'new@domain2.test',
      first_name: 'Anna',
      last_name: 'Lee-Smith',
      memo: 'moved',
      forwards: ['a@example.org'],
      inboxsave: false,
      aliases: ['al@domain2.test'],
      alternate_mail: 'alt@example.org',
      title: 'Dr.',
      birthday: '1990-01-02',
      department: 'IT',
      phone: '+49 30 1234',
      language: 'en_US',
      additional_mail_quota: '5',
      plan: 'premium',
      active: true,
      require_reset_password: true,
    }
    const afterSet = (await call('mail.set', set, account)).result
    const got = (await call('mail.get', { mail: 'new@domain2.test' }, account)).result
    expect(afterSet).toEqual(got)
    const { mail: _, ...fields } = set
    expect(got).toMatchObject(fields)
    expect(got.type).toBe('forward')
  })

  it('refuses a plan that is not in plansavailable, on mail.set and mail.add, and keeps the stored one', async () => {
    const mail = 'new@domain2.test'
    const before = (await call('mail.get', { mail }, account)).result
    expect(before.plansavailable).toEqual(['light', 'standard', 'premium'])
    for (const plan of ['MAILXL', 'Office']) {
      expect((await call('mail.set', { mail, plan }, account)).error).toEqual({
        code: 1023,
        message: `The plan ${plan} is not available, choose one of light, standard, premium`,
      })
      expect(
        (await call('mail.add', { ...NEW, mail: 'legacy@domain2.test', plan }, account)).error?.code,
      ).toBe(1023)
    }
    expect((await call('mail.get', { mail }, account)).result.plan).toBe(before.plan)
    expect((await call('mail.get', { mail: 'legacy@domain2.test' }, account)).error?.code).toBe(1005)
    // Not a plan at all: invalid params, as before.
    expect((await call('mail.set', { mail, plan: 'gold' }, account)).error?.code).toBe(-32602)
    expect((await call('mail.set', { mail, plan: 'light' }, account)).result.plan).toBe('light')
    await call('mail.set', { mail, plan: before.plan }, account)
  })

  it('changes the password, refusing the same one unless allowed', async () => {
    expect(
      (await call('mail.set', { mail: 'new@domain2.test', password: 'secret2' }, account)).result,
    ).toBeDefined()
    expect((await call('auth', { user: 'new@domain2.test', pass: 'secret2' })).result.level).toBe('mail')
    expect(
      (await call('mail.set', { mail: 'new@domain2.test', password: 'secret2' }, account)).error.code,
    ).toBe(1007)
    const hash = '{SHA512-CRYPT}$6$0123456789abcdef$' + 'a'.repeat(86)
    expect(
      (await call('mail.set', { mail: 'new@domain2.test', password: 'x', password_hash: hash }, account))
        .error.code,
    ).toBe(-32602)
  })

  it('lists with paging, sorting and details', async () => {
    const plain = (await call('mail.list', { domain: 'domain3.test' }, account)).result
    expect(plain).toHaveLength(33)
    // The keys the live API returns without details (issue 16), in the wire table's order.
    expect(Object.keys(plain[0])).toEqual(wireKeys('mailBrief'))
    expect(plain[0].possible_capabilities).toEqual([
      'MAIL_BLACKLIST',
      'MAIL_SPAMPROTECTION',
      'MAIL_PASSWORDRESET_SMS',
      'MAIL_BACKUPRECOVER',
    ])
    const page = (
      await call(
        'mail.list',
        { domain: 'domain3.test', page_size: 10, page: 4, sort_field: 'mail', sort_order: 'desc' },
        account,
      )
    ).result
    expect(page.totalHits).toBe(33)
    expect(page.totalPages).toBe(4)
    expect(page.results.map((m: { mail: string }) => m.mail)).toEqual([
      'user03@domain3.test',
      'user02@domain3.test',
      'user01@domain3.test',
    ])
    expect((await call('mail.list', { domain: 'domain3.test', page: 2 }, account)).error.code).toBe(-32602)
    expect(
      (await call('mail.list', { domain: 'domain3.test', page_size: -1, page: 1 }, account)).error.code,
    ).toBe(-32602)
    const detailed = (await call('mail.list', { domain: 'domain1.test', details: true }, account)).result
    expect(detailed[0]).toHaveProperty('possible_capabilities')
  })

  it('sets domain capabilities on every mailbox of the domain', async () => {
    expect(
      (
        await call(
          'domain.capabilities.set',
          { domain: 'domain1.test', capabilities: ['MAIL_BLACKLIST', 'MAIL_SPAMPROTECTION'] },
          account,
        )
      ).result,
    ).toBe(true)
    for (const m of (await call('mail.list', { domain: 'domain1.test' }, account)).result)
      expect(m.capabilities).toEqual(['MAIL_BLACKLIST', 'MAIL_SPAMPROTECTION'])
  })

  it('deletes with .del and the .delete alias', async () => {
    expect((await call('mail.del', { mail: 'user1@domain1.test' }, account)).result).toBe(true)
    expect((await call('mail.delete', { mail: 'user2@domain1.test' }, account)).result).toBe(true)
    expect(
      (await call('domain.list', { account: 'test_account', filter: 'domain1' }, account)).result,
    ).toEqual([{ domain: 'domain1.test', count_mails: 0 }])
  })

  it('validates values with utils.validator', async () => {
    const v = async (value: string, type: string) =>
      (await call('utils.validator', { value, type }, account)).result
    expect(await v('example.com', 'domain')).toBe(true)
    expect(await v('not a domain', 'domain')).toBe(false)
    expect(await v('a@b.de', 'mail')).toBe(true)
    expect((await call('utils.validator', { value: 'x', type: 'bogus' }, account)).error.code).toBe(-32602)
  })
})
