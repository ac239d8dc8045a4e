import { beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../test/testkit.ts'
import { issueRegistrationToken } from './tokens.ts'

// Registration, external uids, additional mail accounts and capabilities in the live order.

let t: TestApp
let account: string
beforeAll(async () => {
  t = await startApp()
  account = await t.login('test_account', '123456')
})
const register = (p: Record<string, unknown>) =>
  t.call('mail.register', { password: 'reg-pass', first_name: 'Re', last_name: 'Gister', ...p })

describe('mail.register', () => {
  it('creates one mailbox with a token for its domain, which can then log in', async () => {
    const now = t.ctx.clock.now()
    const token = await issueRegistrationToken(
      t.ctx.storage,
      { domain: 'domain2.test', plan: 'premium', expiresAt: null },
      now,
    )
    const invalid = { code: 1020, message: 'The token is invalid or expired' }
    expect((await register({ token, mail: 'x@domain1.test' })).error).toEqual(invalid)
    expect(
      (await register({ token, mail: 'user1@domain2.test', lang: 'fr', alternate_mail: 'me@else.test' }))
        .result,
    ).toBe(true)
    expect((await register({ token, mail: 'user9@domain2.test' })).error).toEqual(invalid)
    expect(await t.login('user1@domain2.test', 'reg-pass')).toBeTruthy()
    expect(await t.ok('mail.get', { mail: 'user1@domain2.test' }, account)).toMatchObject({
      plan: 'premium',
      language: 'fr_FR',
      alternate_mail: 'me@else.test',
      first_name: 'Re',
      parent_uid: 'test_account',
    })
  })

  it('keeps the token when the address is taken, and refuses an expired one', async () => {
    const now = t.ctx.clock.now()
    const token = await issueRegistrationToken(
      t.ctx.storage,
      { domain: 'domain1.test', plan: 'light', expiresAt: now + 1000 },
      now,
    )
    expect((await register({ token, mail: 'user1@domain1.test' })).error).toEqual({
      code: 1006,
      message: 'Mail address already exists',
    })
    expect((await register({ token, mail: 'new1@domain1.test' })).result).toBe(true)
    const late = await issueRegistrationToken(
      t.ctx.storage,
      { domain: 'domain1.test', plan: 'light', expiresAt: now + 1000 },
      now,
    )
    t.ctx.clock.advance(1000)
    expect((await register({ token: late, mail: 'new2@domain1.test' })).error?.code).toBe(1020)
    expect((await register({ token: 'x'.repeat(300), mail: 'new2@domain1.test' })).error?.code).toBe(-32602)
  })

  it('lets only one of two concurrent registrations spend a token', async () => {
    const token = await issueRegistrationToken(
      t.ctx.storage,
      { domain: 'domain1.test', plan: 'light', expiresAt: null },
      t.ctx.clock.now(),
    )
    const answers = await Promise.all([
      register({ token, mail: 'race1@domain1.test' }),
      register({ token, mail: 'race2@domain1.test' }),
    ])
    expect(answers.filter((a) => a.result === true)).toHaveLength(1)
    expect(answers.filter((a) => a.error?.code === 1020)).toHaveLength(1)
  })
})

describe('mail.externaluid', () => {
  it('finds the mailbox of an account by its external uid', async () => {
    await t.ok('mail.set', { mail: 'user2@domain1.test', uid_extern: 'hr-4711' }, account)
    expect(
      (await t.ok('mail.externaluid', { account: 'test_account', uid_extern: 'hr-4711' }, account)).mail,
    ).toBe('user2@domain1.test')
    expect(
      (await t.call('mail.externaluid', { account: 'test_account', uid_extern: 'hr-0000' }, account)).error
        ?.code,
    ).toBe(1005)
    expect((await t.call('mail.externaluid', { account: 'test_account' }, account)).error?.code).toBe(-32602)
  })
})

describe('additional mail accounts', () => {
  it('link accounts with the webmail defaults, once each, and unlink them', async () => {
    const parent_mail = 'user2@domain1.test'
    await t.ok(
      'additionalmailaccount.add',
      { parent_mail, new_account_mail: 'Old@Provider.test', new_account_password: 'imap-pass' },
      account,
    )
    await t.ok(
      'additionalmailaccount.add',
      {
        parent_mail,
        new_account_mail: 'b@x.test',
        new_account_password: 'p',
        primary_address: 'alias@x.test',
        mail_server: 'imap.x.test',
        mail_port: 143,
        mail_secure: false,
        mail_starttls: true,
        transport_port: '587',
      },
      account,
    )
    const listed = await t.ok('additionalmailaccount.list', { parent_mail }, account)
    // The live shape: the addresses as strings, so that `sub in result['additional_accounts']` holds.
    expect(listed.additional_accounts).toEqual(['b@x.test', 'old@provider.test'])
    expect(listed).toEqual({
      parent_mail,
      additional_accounts: ['b@x.test', 'old@provider.test'],
      details: [
        {
          account_mail: 'b@x.test',
          primary_address: 'alias@x.test',
          mail_server: 'imap.x.test',
          mail_port: '143',
          mail_secure: false,
          mail_starttls: true,
          transport_server: 'smtp.mailbox.org',
          transport_port: '587',
          transport_secure: true,
          transport_starttls: false,
          trash_folder: 'Trash',
          sent_folder: 'Sent',
          drafts_folder: 'Drafts',
          spam_folder: 'Junk',
        },
        {
          account_mail: 'old@provider.test',
          primary_address: 'old@provider.test',
          mail_server: 'imap.mailbox.org',
          mail_port: '993',
          mail_secure: true,
          mail_starttls: false,
          transport_server: 'smtp.mailbox.org',
          transport_port: '465',
          transport_secure: true,
          transport_starttls: false,
          trash_folder: 'Trash',
          sent_folder: 'Sent',
          drafts_folder: 'Drafts',
          spam_folder: 'Junk',
        },
      ],
    })
    const again = await t.call(
      'additionalmailaccount.add',
      { parent_mail, new_account_mail: 'old@provider.test', new_account_password: 'x' },
      account,
    )
    expect(again.error).toEqual({ code: 1018, message: 'Additional mail account already exists' })
    expect(
      (
        await t.call(
          'additionalmailaccount.add',
          { parent_mail, new_account_mail: parent_mail, new_account_password: 'x' },
          account,
        )
      ).error?.code,
    ).toBe(1018)
    expect(
      (
        await t.call(
          'additionalmailaccount.add',
          { parent_mail, new_account_mail: 'c@x.test', new_account_password: 'x', mail_port: 70000 },
          account,
        )
      ).error?.code,
    ).toBe(-32602)
    expect(
      await t.ok('additionalmailaccount.del', { parent_mail, account_mail: 'OLD@provider.test' }, account),
    ).toBe(true)
    expect(
      (
        await t.call(
          'additionalmailaccount.delete',
          { parent_mail, account_mail: 'old@provider.test' },
          account,
        )
      ).error,
    ).toEqual({ code: 1017, message: 'Additional mail account not found' })
  })
})

describe('capabilities', () => {
  it('are answered in the live API’s order, whatever order they were set in', async () => {
    await t.ok(
      'mail.capabilities.set',
      {
        mail: 'user1@domain1.test',
        capabilities: [
          'BMBO_VIDEOCHAT',
          'MAIL_BACKUPRECOVER',
          'MAIL_OTP',
          'MAIL_BLACKLIST',
          'MAIL_BLACKLIST',
        ],
      },
      account,
    )
    expect((await t.ok('mail.get', { mail: 'user1@domain1.test' }, account)).capabilities).toEqual([
      'MAIL_BLACKLIST',
      'MAIL_BACKUPRECOVER',
      'MAIL_OTP',
      'BMBO_VIDEOCHAT',
    ])
    await t.ok(
      'domain.capabilities.set',
      {
        domain: 'domain2.test',
        capabilities: ['MAIL_BACKUPRECOVER', 'MAIL_PASSWORDRESET_SMS', 'MAIL_SPAMPROTECTION'],
      },
      account,
    )
    expect((await t.ok('domain.get', { domain: 'domain2.test' }, account)).capabilities).toEqual([
      'MAIL_SPAMPROTECTION',
      'MAIL_PASSWORDRESET_SMS',
      'MAIL_BACKUPRECOVER',
    ])
    const [brief] = await t.ok('mail.list', { domain: 'domain2.test', details: false }, account)
    expect(brief).toEqual({
      mail: 'user1@domain2.test',
      parent_uid: 'test_account',
      domain: 'domain2.test',
      type: 'inbox',
      plan: 'premium',
      first_name: 'Re',
      last_name: 'Gister',
      memo: '',
      forwards: [],
      aliases: [],
      active: true,
      capabilities: ['MAIL_SPAMPROTECTION', 'MAIL_PASSWORDRESET_SMS', 'MAIL_BACKUPRECOVER'],
      possible_capabilities: [
        'MAIL_BLACKLIST',
        'MAIL_SPAMPROTECTION',
        'MAIL_PASSWORDRESET_SMS',
        'MAIL_BACKUPRECOVER',
      ],
      creation_date: '2026-06-10',
    })
  })
})
