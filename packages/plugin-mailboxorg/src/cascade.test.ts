import { beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../test/testkit.ts'
import { fixtures } from './fixtures.ts'
import { INVOICE, TOKEN } from './store-resources.ts'
import { issueRegistrationToken } from './tokens.ts'

// Deletes that take their records along, and the fixtures round trip of everything new.

let t: TestApp
let admin: string
let account: string
beforeAll(async () => {
  t = await startApp()
  admin = await t.login('demo_admin', 'demo-admin-pass')
  account = await t.login('test_account', '123456')
})

describe('deletes take their records along', () => {
  it('a domain its registration tokens; an account its invoices and groups', async () => {
    const now = t.ctx.clock.now()
    await t.ok('account.add', { account: 'gone_acc', password: 'secret1', plan: 'basic' }, admin)
    await t.ok('domain.add', { account: 'gone_acc', domain: 'gone.test', password: 'secret1' }, admin)
    await issueRegistrationToken(t.ctx.storage, { domain: 'gone.test', plan: 'light', expiresAt: null }, now)
    await t.ctx.storage.create({
      model: INVOICE,
      data: { invoice_id: 'BMBO-1-26', account: 'gone_acc', date: '2026-01-01', amount: 5, created_at: now },
    })
    await t.ok(
      'group.add',
      { account: 'gone_acc', name: 'g', display_name: 'G', mail_addresses_to_add: [] },
      admin,
    )
    const count = async (model: string, field: string, value: string) =>
      t.ctx.storage.count({ model, where: { field, value } })
    expect(await count(TOKEN, 'subject', 'gone.test')).toBe(1)
    await t.ok('domain.del', { account: 'gone_acc', domain: 'gone.test' }, admin)
    expect(await count(TOKEN, 'subject', 'gone.test')).toBe(0)
    await t.ok('account.del', { account: 'gone_acc' }, admin)
    expect(await count(INVOICE, 'account', 'gone_acc')).toBe(0)
    expect(
      await t.ctx.storage.count({
        model: 'mailboxorg_group',
        where: { field: 'account', value: 'gone_acc' },
      }),
    ).toBe(0)
  })
})

describe('fixtures', () => {
  it('carry every new record through export and load, on a fresh store too', async () => {
    const now = t.ctx.clock.now()
    await t.ctx.storage.create({
      model: INVOICE,
      data: {
        invoice_id: 'BMBO-77777-26',
        account: 'test_account',
        date: '2026-03-31',
        amount: 12.5,
        status: 'paid',
        files: { csv: 'a,b\n' },
        created_at: now,
      },
    })
    await t.ok(
      'group.add',
      { name: 'fx', display_name: 'Fx', mail_addresses_to_add: ['user2@domain1.test'] },
      account,
    )
    await t.ok('mail.videochat.add', { mail: 'user2@domain1.test', room_name: 'Fx room' }, account)
    await t.ok(
      'additionalmailaccount.add',
      {
        parent_mail: 'user2@domain1.test',
        new_account_mail: 'fx@provider.test',
        new_account_password: 'imap-pass',
        mail_port: 143,
      },
      account,
    )
    const [room] = await t.ok('mail.videochat.list', { mail: 'user2@domain1.test' }, account)
    await t.ok(
      'mail.videochat.update',
      { mail: 'user2@domain1.test', room_id: room.room_id, room_admin_password: 'mod-pass' },
      account,
    )
    await issueRegistrationToken(
      t.ctx.storage,
      { domain: 'domain3.test', plan: 'standard', expiresAt: null, token: 'a-known-registration-token' },
      now,
    )
    const first = (await fixtures.export(t.ctx)) as Record<string, unknown[]>
    for (const k of ['invoices', 'groups', 'videochat_rooms', 'additional_accounts', 'registration_tokens'])
      expect(first[k]!.length, k).toBeGreaterThan(0)
    await fixtures.load(t.ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(t.ctx)).toEqual(first)

    const fresh = await startApp()
    await fixtures.load(fresh.ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(fresh.ctx)).toEqual(first)
    // The registration token still works after the move (only its hash travelled).
    const r = await fresh.call('mail.register', {
      token: 'a-known-registration-token',
      mail: 'moved@domain3.test',
      password: 'secret1',
      first_name: 'M',
      last_name: 'V',
    })
    expect(r.result).toBe(true)
  })

  it('name the JSON path of a bad entry', () => {
    const r = fixtures.schema.safeParse({
      invoices: [{ invoice_id: 'X-1', account: 'a', date: '31.12.2026', amount: 1 }],
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.path).toEqual(['invoices', 0, 'date'])
    const both = fixtures.schema.safeParse({
      registration_tokens: [{ domain: 'a.test', token: 'x'.repeat(20), token_sha256: 'a'.repeat(64) }],
    })
    expect(both.success).toBe(false)
  })
})
