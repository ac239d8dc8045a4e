import { readFileSync } from 'node:fs'
import { preparePlugin } from '@mailfront/core/host'
import { createTestContext, mountPluginForTest } from '@mailfront/core/testing'
import { mailboxorgPlugin } from '@mailfront/plugin-mailboxorg'
import { pgliteAdapter, sqliteAdapter } from '@mailfront/storage-sql'
import { describe, expect, it } from 'vitest'

// The mailbox.org records of round two on the SQL stores (SQLite, and PostgreSQL through PGlite: the
// same dialect as a real server, which the storage conformance suite covers with MAILFRONT_TEST_PG_URL).

const DEMO = JSON.parse(
  readFileSync(new URL('../../../fixtures/demo.json', import.meta.url), 'utf8'),
).mailboxorg

const backends = [
  ['SQLite', async () => sqliteAdapter({ filename: ':memory:' })],
  ['PostgreSQL (PGlite)', () => pgliteAdapter()],
] as const

describe.each(backends)('mailbox.org round two on %s', (_, make) => {
  it('stores invoices, groups, rooms, linked accounts, tokens, SMS and restore requests, and exports them', async () => {
    const storage = await make()
    const plugin = mailboxorgPlugin()
    // Prepared here, so that the fixtures below get the plugin's own context type.
    const ctx = preparePlugin(plugin, createTestContext({ storage }))
    const { app } = await mountPluginForTest(plugin, ctx)
    const fx = plugin.data!.fixtures!
    await fx.load(ctx, fx.schema.parse(DEMO))
    await fx.load(
      ctx,
      fx.schema.parse({
        invoices: [
          {
            invoice_id: 'BMBO-83002-25',
            account: 'test_account',
            date: '2025-10-30',
            amount: 12.5,
            status: 'storniert',
          },
        ],
        registration_tokens: [
          { token: 'a-registration-token-for-sql', domain: 'domain1.test', plan: 'light' },
        ],
      }),
    )
    const call = async (method: string, params: unknown, session?: string) => {
      const res = await app.request('/v1/', {
        method: 'POST',
        headers: session ? { 'HPLS-AUTH': session } : {},
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
      return (await res.json()) as { result?: any; error?: { code: number } }
    }
    const s = (await call('auth', { user: 'test_account', pass: '123456' })).result.session
    const mail = 'user1@domain1.test'

    // The demo's own invoice (BMBO-10001-25) is listed too.
    const inv = (await call('account.invoice.list', { account: 'test_account' }, s)).result.find(
      (i: { invoice_id: string }) => i.invoice_id === 'BMBO-83002-25',
    )
    expect(inv).toMatchObject({ invoice_id: 'BMBO-83002-25', amount: 12.5, status: 'storniert' })
    expect((await call('account.invoice.get', { token: inv.token }, s)).result.bin).toBeTruthy()

    expect(
      (await call('group.add', { name: 'g', display_name: 'G', mail_addresses_to_add: [mail] }, s)).result,
    ).toBe(true)
    expect(
      (await call('group.add', { name: 'g', display_name: 'G', mail_addresses_to_add: [] }, s)).error?.code,
    ).toBe(1015)
    const link = { parent_mail: mail, new_account_mail: 'old@provider.test', new_account_password: 'pw' }
    expect((await call('additionalmailaccount.add', link, s)).result).toBe(true)
    expect((await call('additionalmailaccount.add', link, s)).error?.code).toBe(1018)
    expect((await call('mail.videochat.add', { mail, room_name: 'Room' }, s)).result).toBe(true)

    const reg = {
      token: 'a-registration-token-for-sql',
      mail: 'new@domain1.test',
      password: 'secret1',
      first_name: 'N',
      last_name: 'W',
    }
    expect((await call('mail.register', reg)).result).toBe(true)
    expect((await call('mail.register', { ...reg, mail: 'new2@domain1.test' })).error?.code).toBe(1020)

    await call('mail.set', { mail, cell_phone: '+491701111111' }, s)
    await call('mail.capabilities.set', { mail, capabilities: ['MAIL_PASSWORDRESET_SMS'] }, s)
    expect((await call('mail.passwordreset.sendsms', { mail, cell_phone: '+491701111111' })).result).toBe(
      true,
    )
    const [sms] = await storage.findMany<{ id: number; to: string; text: string }>({
      model: 'mailboxorg_sms',
    })
    expect(sms!.to).toBe('+491701111111')
    const code = /is (\d{8})\./.exec(sms!.text)![1]
    expect(
      (await call('mail.passwordreset.setpassword', { mail, token: code, password: 'after-reset' })).result,
    ).toBe(true)

    await storage.updateMany({
      model: 'mailboxorg_mail',
      where: { field: 'mail', value: mail },
      set: { created_at: ctx.clock.now() - 2 * 86_400_000 },
    })
    const [backup] = (await call('mail.backup.list', { mail }, s)).result
    const restores = (
      await call('mail.backup.import', { mail, id: backup.id, time: backup.time, filter: 'all' }, s)
    ).result
    expect(restores).toHaveLength(1)

    const first = await fx.export(ctx)
    await fx.load(ctx, fx.schema.parse(first))
    expect(await fx.export(ctx)).toEqual(first)
    await storage.close()

    // Into a new store: rows loaded with their ids, then new ones created next to them.
    const storage2 = await make()
    const plugin2 = mailboxorgPlugin()
    const ctx2 = preparePlugin(plugin2, createTestContext({ storage: storage2 }))
    const again = await mountPluginForTest(plugin2, ctx2)
    await fx.load(ctx2, fx.schema.parse(first))
    const res = await again.app.request('/v1/', {
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'auth',
        params: { user: 'test_account', pass: '123456' },
      }),
    })
    const s2 = ((await res.json()) as { result: { session: string } }).result.session
    const add = await again.app.request('/v1/', {
      method: 'POST',
      headers: { 'HPLS-AUTH': s2 },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'mail.videochat.add', params: { mail, room_name: 'Second' } },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'group.add',
          params: { name: 'h', display_name: 'H', mail_addresses_to_add: [] },
        },
        { jsonrpc: '2.0', id: 3, method: 'mail.videochat.list', params: { mail } },
      ]),
    })
    const answers = (await add.json()) as { result?: any; error?: unknown }[]
    expect(answers.map((a) => a.error)).toEqual([undefined, undefined, undefined])
    expect(answers[2]!.result.map((r: { room_name: string }) => r.room_name)).toEqual(['Room', 'Second'])
    await storage2.close()
  }, 120_000)
})
