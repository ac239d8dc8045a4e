import { inflateSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../test/testkit.ts'
import { fixtures } from './fixtures.ts'
import { invoiceToken } from './invoice-files.ts'
import { MAIL } from './store.ts'
import { INVOICE } from './store-resources.ts'

let t: TestApp
let admin: string
let account: string
beforeAll(async () => {
  t = await startApp()
  admin = await t.login('demo_admin', 'demo-admin-pass')
  account = await t.login('test_account', '123456')
})
const bin = (b64: string) => inflateSync(Buffer.from(b64, 'base64'))

describe('invoices', () => {
  beforeAll(async () => {
    const now = t.ctx.clock.now()
    for (const [invoice_id, date, amount, status] of [
      ['BMBO-83002-25', '2025-10-30', 0, 'storniert'],
      ['BMBO-90001-26', '2026-01-31', 35.7, 'open'],
    ] as const)
      await t.ctx.storage.create({
        model: INVOICE,
        data: { invoice_id, account: 'test_account', date, amount, status, created_at: now },
      })
  })

  it('lists them newest first, as the live API does', async () => {
    const list = await t.ok('account.invoice.list', { account: 'test_account' }, account)
    // The demo data's invoice (BMBO-10001-25, 2025-12-31) sits between the two made here.
    expect(list.map((i: { invoice_id: string }) => i.invoice_id)).toEqual([
      'BMBO-90001-26',
      'BMBO-10001-25',
      'BMBO-83002-25',
    ])
    expect(list[2]).toEqual({
      invoice_id: 'BMBO-83002-25',
      invoiceNumber: 'BMBO-83002-25',
      date: '2025-10-30',
      amount: 0,
      paymentType: 'invoice',
      status: 'storniert',
      availableDownloadFileTypes: ['csv', 'pdf', 'xml'],
      token: invoiceToken(t.ctx.secret, 'BMBO-83002-25'),
    })
  })

  it('names the invoice in clear beside the file, as the live answer does', async () => {
    const [inv] = await t.ok('account.invoice.list', { account: 'test_account' }, account)
    const answer = await t.ok('account.invoice.get', { account: 'test_account', token: inv.token })
    expect(Object.keys(answer)).toEqual(['invoice_id', 'bin'])
    expect(answer.invoice_id).toBe(inv.invoice_id)
    // The Python client's live check: `invoices[0]['invoice_id'] in str(invoice)`.
    expect(JSON.stringify(answer)).toContain(inv.invoice_id)
  })

  it('serves the PDF as base64 of zlib, a real PDF 1.7 whose xref offsets point at its objects', async () => {
    const [inv] = await t.ok('account.invoice.list', { account: 'test_account' }, account)
    const pdf = bin((await t.ok('account.invoice.get', { account: 'test_account', token: inv.token })).bin)
    const text = pdf.toString('latin1')
    expect(text.startsWith('%PDF-1.7\n')).toBe(true)
    expect(text.endsWith('%%EOF\n')).toBe(true)
    expect(text).toContain('(Invoice BMBO-90001-26) Tj')
    expect(text).toContain('(Total: 35.70 EUR) Tj')
    const startxref = Number(/startxref\n(\d+)\n/.exec(text)![1])
    expect(text.slice(startxref, startxref + 4)).toBe('xref')
    const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]))
    expect(offsets).toHaveLength(6)
    offsets.forEach((o, i) => {
      expect(text.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`)
    })
    const stream = /<< \/Length (\d+) >>\nstream\n/.exec(text)!
    const start = stream.index + stream[0].length
    expect(text.slice(start + Number(stream[1]), start + Number(stream[1]) + 10)).toBe('\nendstream')
  })

  it('serves CSV and XML, and the token alone is enough (no session, as the method table says)', async () => {
    const token = invoiceToken(t.ctx.secret, 'BMBO-90001-26')
    const csv = bin((await t.ok('account.invoice.get', { token, type: 'csv' })).bin).toString()
    expect(csv).toBe(
      'date,services,description,quantity,currency,net,vat_percent,total\n2026-01-31,mailbox.org Business,Invoice BMBO-90001-26,1,EUR,30.00,19,35.70\n',
    )
    const xml = bin((await t.ok('account.invoice.get', { token, type: 'xml' }, account)).bin).toString()
    expect(xml).toContain('<?xml version="1.0" encoding="UTF-8"?>\n<invoice id="BMBO-90001-26">')
    expect(xml).toContain('<total>35.70</total>')
  })

  it('refuses a forged token, another account and an unknown type', async () => {
    const token = invoiceToken(t.ctx.secret, 'BMBO-90001-26')
    const forged = invoiceToken('another secret of the same length, surely', 'BMBO-90001-26')
    const notFound = { code: 1013, message: 'Invoice not found' }
    expect((await t.call('account.invoice.get', { token: forged })).error).toEqual(notFound)
    expect((await t.call('account.invoice.get', { token: 'garbage' })).error).toEqual(notFound)
    expect((await t.call('account.invoice.get', { token, account: 'other' })).error).toEqual(notFound)
    expect((await t.call('account.invoice.get', { token, type: 'doc' })).error?.code).toBe(-32602)
    await t.ok('account.add', { account: 'other_acc', password: 'secret1', plan: 'basic' }, admin)
    expect((await t.call('account.invoice.list', { account: 'other_acc' }, account)).error?.code).toBe(2)
  })

  it('serves a stored PDF as given', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% a file from the accounting system\n%%EOF\n')
    await t.ctx.storage.create({
      model: INVOICE,
      data: {
        invoice_id: 'BMBO-90002-26',
        account: 'test_account',
        date: '2026-02-28',
        amount: 1,
        files: { pdf: pdf.toString('base64') },
        created_at: t.ctx.clock.now(),
      },
    })
    const token = invoiceToken(t.ctx.secret, 'BMBO-90002-26')
    expect(bin((await t.ok('account.invoice.get', { token })).bin)).toEqual(pdf)
  })
})

describe('groups', () => {
  it('are created, listed, changed and deleted; members must be mailboxes of the account', async () => {
    expect(
      await t.ok(
        'group.add',
        { name: 'sales', display_name: 'Sales', mail_addresses_to_add: ['User1@domain1.test'] },
        account,
      ),
    ).toBe(true)
    const [g] = await t.ok('group.list', '', account)
    expect(g).toEqual({
      group_id: g.group_id,
      name: 'sales',
      display_name: 'Sales',
      mail_addresses: ['user1@domain1.test'],
    })
    expect(
      (await t.call('group.add', { name: 'sales', display_name: 'x', mail_addresses_to_add: [] }, account))
        .error,
    ).toEqual({
      code: 1015,
      message: 'Group already exists',
    })
    const stranger = await t.call(
      'group.add',
      { name: 'x', display_name: 'x', mail_addresses_to_add: ['a@b.test'] },
      account,
    )
    expect(stranger.error).toEqual({
      code: 1005,
      message: 'Mail address not found',
      data: { mail: 'a@b.test' },
    })
    await t.ok(
      'group.set',
      {
        group_id: g.group_id,
        display_name: 'Sales team',
        mail_addresses_to_add: ['user2@domain1.test'],
        mail_addresses_to_remove: ['user1@domain1.test'],
      },
      account,
    )
    expect(await t.ok('group.get', { group_id: g.group_id }, account)).toMatchObject({
      display_name: 'Sales team',
      mail_addresses: ['user2@domain1.test'],
    })
    expect((await t.call('group.list', '', admin)).error).toEqual({
      code: 1022,
      message: 'The account parameter is required at this level',
    })
    expect(await t.ok('group.del', { group_id: g.group_id }, account)).toBe(true)
    expect((await t.call('group.get', { group_id: g.group_id }, account)).error?.code).toBe(1014)
  })

  it('lose a mailbox when it is deleted', async () => {
    await t.ok(
      'mail.add',
      {
        mail: 'leaver@domain1.test',
        password: 'secret1',
        plan: 'light',
        first_name: 'L',
        last_name: 'V',
        inboxsave: true,
        forwards: [],
      },
      account,
    )
    await t.ok(
      'group.add',
      {
        name: 'team',
        display_name: 'Team',
        mail_addresses_to_add: ['leaver@domain1.test', 'user2@domain1.test'],
      },
      account,
    )
    await t.ok('mail.del', { mail: 'leaver@domain1.test' }, account)
    const team = (await t.ok('group.list', '', account)).find((x: { name: string }) => x.name === 'team')
    expect(team.mail_addresses).toEqual(['user2@domain1.test'])
  })
})

describe('video chat rooms', () => {
  it('are kept per mailbox, passwords only as hashes, and stay in their mailbox', async () => {
    await t.ok(
      'mail.videochat.add',
      { mail: 'user2@domain1.test', room_name: 'Standup', room_memo: 'daily' },
      account,
    )
    const [room] = await t.ok('mail.videochat.list', { mail: 'user2@domain1.test' }, account)
    expect(room).toEqual({
      room_id: room.room_id,
      room_name: 'Standup',
      room_memo: 'daily',
      has_password: false,
      has_admin_password: false,
    })
    await t.ok(
      'mail.videochat.update',
      {
        mail: 'user2@domain1.test',
        room_id: room.room_id,
        room_password: 'open-sesame',
        room_name: 'Stand-up',
      },
      account,
    )
    expect((await t.ok('mail.videochat.list', { mail: 'user2@domain1.test' }, account))[0]).toMatchObject({
      room_name: 'Stand-up',
      has_password: true,
    })
    const other = await t.call(
      'mail.videochat.del',
      { mail: 'user1@domain1.test', room_id: room.room_id },
      account,
    )
    expect(other.error).toEqual({ code: 1016, message: 'Video chat room not found' })
    await t.ok(
      'mail.videochat.update',
      { mail: 'user2@domain1.test', room_id: room.room_id, room_password: '' },
      account,
    )
    expect((await t.ok('mail.videochat.list', { mail: 'user2@domain1.test' }, account))[0].has_password).toBe(
      false,
    )
    expect(
      await t.ok('mail.videochat.del', { mail: 'user2@domain1.test', room_id: room.room_id }, account),
    ).toBe(true)
    expect(await t.ok('mail.videochat.list', { mail: 'user2@domain1.test' }, account)).toEqual([])
  })
})

describe('backups', () => {
  it('offer one a day since the mailbox exists, and record restore requests', async () => {
    const mail = 'user2@domain1.test'
    await t.ctx.storage.updateMany({
      model: MAIL,
      where: { field: 'mail', value: mail },
      set: { created_at: Date.UTC(2026, 5, 8, 12) },
    })
    // The clock is 2026-06-10 17:40:30 UTC: backups of the 10th and 9th at 02:00 (the 8th's is older than the mailbox).
    const backups = await t.ok('mail.backup.list', { mail }, account)
    expect(backups).toEqual([
      { id: 1, time: Date.UTC(2026, 5, 10, 2) / 1000, date: '2026-06-10 02:00:00' },
      { id: 2, time: Date.UTC(2026, 5, 9, 2) / 1000, date: '2026-06-09 02:00:00' },
    ])
    expect(
      (await t.call('mail.backup.import', { mail, id: 2, time: 1, filter: 'all' }, account)).error,
    ).toEqual({ code: 1019, message: 'Backup not found' })
    const restores = await t.ok(
      'mail.backup.import',
      { mail, id: 2, time: backups[1].time, filter: 'INBOX/Projects' },
      account,
    )
    expect(restores).toEqual([
      {
        request_id: restores[0].request_id,
        id: 2,
        time: backups[1].time,
        filter: 'INBOX/Projects',
        status: 'queued',
        requested_at: '2026-06-10 17:40:30',
      },
    ])
    const exported = (await fixtures.export(t.ctx)) as { backup_restores: { requested_by: string }[] }
    expect(exported.backup_restores.at(-1)?.requested_by).toBe('test_account')
  })

  it('come from fixtures: a creation time starts the schedule, given dates replace it; both export', async () => {
    const data = fixtures.schema.parse({
      domains: [{ domain: 'backups.test', account: 'test_account' }],
      mails: [
        { mail: 'aged@backups.test', created_at: '2026-06-07 03:00:00' },
        {
          mail: 'given@backups.test',
          created_at: '2025-03-01',
          backups: ['2026-05-01', '2026-05-03 04:05:06', '2026-06-11'],
        },
      ],
    })
    await fixtures.load(t.ctx, data)
    // The clock is 2026-06-10 17:40:30 UTC.
    expect((await t.ok('mail.get', { mail: 'aged@backups.test' }, account)).creation_date).toBe('2026-06-07')
    const dates = async (mail: string) =>
      (await t.ok('mail.backup.list', { mail }, account)).map((b: { date: string }) => b.date)
    expect(await dates('aged@backups.test')).toEqual([
      '2026-06-10 02:00:00',
      '2026-06-09 02:00:00',
      '2026-06-08 02:00:00',
    ])
    // Newest first, id 1 the newest; a date alone is 02:00 UTC; one still in the future is not offered.
    expect(await t.ok('mail.backup.list', { mail: 'given@backups.test' }, account)).toEqual([
      { id: 1, time: Date.UTC(2026, 4, 3, 4, 5, 6) / 1000, date: '2026-05-03 04:05:06' },
      { id: 2, time: Date.UTC(2026, 4, 1, 2) / 1000, date: '2026-05-01 02:00:00' },
    ])
    expect(
      await t.ok(
        'mail.backup.import',
        { mail: 'given@backups.test', id: 2, time: Date.UTC(2026, 4, 1, 2) / 1000, filter: 'all' },
        account,
      ),
    ).toHaveLength(1)
    const exported = (await fixtures.export(t.ctx)) as { mails: Record<string, unknown>[] }
    expect(exported.mails.find((m) => m.mail === 'given@backups.test')).toMatchObject({
      created_at: '2025-03-01 00:00:00',
      backups: ['2026-06-11 02:00:00', '2026-05-03 04:05:06', '2026-05-01 02:00:00'],
    })
    expect(exported.mails.find((m) => m.mail === 'aged@backups.test')).not.toHaveProperty('backups')
    expect(
      fixtures.schema.safeParse({ mails: [{ mail: 'x@backups.test', backups: ['2026-02-30x'] }] }).success,
    ).toBe(false)
  })
})
