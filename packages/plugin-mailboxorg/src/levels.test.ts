import { beforeAll, describe, expect, it } from 'vitest'
import { fakeDns } from '../test/fake-dns.ts'
import { startApp, type TestApp } from '../test/testkit.ts'
import { mailboxorgMethods } from './index.ts'
import { invoiceToken } from './invoice-files.ts'
import { type Level, MAIL } from './store.ts'
import { INVOICE, SMS, type SmsRow } from './store-resources.ts'
import { issueRegistrationToken } from './tokens.ts'
import { type WireObject, wireKeys } from './wire.ts'

// Every method of the reference, at each level it allows (admin included) and at one it does not,
// its answer's shape checked key by key against the wire table.

type Shape =
  | { object: WireObject }
  | { array: WireObject }
  | 'true'
  | 'string'
  | 'boolean'
  | 'strings'
  | ((r: unknown) => void)

interface Row {
  method: string
  label?: string
  /** From the reference (admin is always allowed); 'anonymous' and 'session' as the dispatcher. */
  levels: readonly Level[] | 'anonymous' | 'session'
  params: (level: Level | 'anonymous', h: Helpers) => Promise<Record<string, unknown>>
  shape: Shape
  /** The call ends its session: make a fresh one for it. */
  freshSession?: boolean
}

let t: TestApp
const sessions = {} as Record<Level, string>
let n = 0
const uniq = (p: string) => `${p}${++n}`

const helpers = {
  /** A new mailbox in domain1.test (the mail session's own for level mail). */
  async mailFor(level: Level | 'anonymous') {
    return level === 'mail' ? 'user1@domain1.test' : helpers.freshMail()
  },
  async freshMail() {
    const mail = `${uniq('m')}@domain1.test`
    await t.ok(
      'mail.add',
      {
        mail,
        password: 'fresh-pass',
        plan: 'standard',
        first_name: 'F',
        last_name: 'M',
        inboxsave: true,
        forwards: [],
      },
      sessions.admin,
    )
    return mail
  },
  async domainFor(level: Level | 'anonymous') {
    if (level === 'domain') return 'domain1.test'
    const domain = `${uniq('d')}.test`
    await t.ok('domain.add', { account: 'test_account', domain, password: 'domain-pass' }, sessions.admin)
    return domain
  },
  /** Backdate a mailbox so that it has backups. */
  async aged(mail: string) {
    await t.ctx.storage.updateMany({
      model: MAIL,
      where: { field: 'mail', value: mail },
      set: { created_at: t.ctx.clock.now() - 3 * 86_400_000 },
    })
    return mail
  },
}
type Helpers = typeof helpers

const mailP =
  (extra: Record<string, unknown> = {}) =>
  async (l: Level | 'anonymous', h: Helpers) => ({ mail: await h.mailFor(l), ...extra })
const account = async () => ({ account: 'test_account' })
const SUB = ['account', 'domain', 'mail'] as const
const RA = ['reseller', 'account'] as const
const RAD = ['reseller', 'account', 'domain'] as const
const ALL = ['reseller', 'account', 'domain', 'mail'] as const

// biome-ignore format: a table
const TABLE: Row[] = [
  { method: 'auth', levels: 'anonymous', params: async () => ({ user: 'test_account', pass: '123456' }), shape: { object: 'auth' } },
  { method: 'deauth', levels: 'session', params: async () => ({}), shape: 'true', freshSession: true },
  { method: 'hello.world', levels: 'anonymous', params: async () => ({}), shape: 'string' },
  { method: 'hello.innerworld', levels: 'session', params: async () => ({}), shape: 'string' },
  { method: 'rpc.discover', levels: 'anonymous', params: async () => ({}), shape: (r) => expect((r as { openrpc: string }).openrpc).toMatch(/^1\./) },
  { method: 'search', levels: 'session', params: async () => ({ query: 'domain1' }), shape: { object: 'search' } },
  { method: 'test.accountallowed', levels: 'session', params: account, shape: 'boolean' },
  { method: 'test.domainallowed', levels: 'session', params: async () => ({ domain: 'domain1.test' }), shape: 'boolean' },
  { method: 'utils.validator', levels: 'session', params: async () => ({ value: 'a@b.de', type: 'mail' }), shape: 'boolean' },
  { method: 'account.add', levels: ['reseller'], params: async () => ({ account: uniq('acc'), password: 'secret1', plan: 'basic' }), shape: { object: 'account' } },
  { method: 'account.get', levels: RA, params: account, shape: { object: 'account' } },
  { method: 'account.set', levels: RA, params: async () => ({ account: 'test_account', memo: 'set' }), shape: { object: 'account' } },
  { method: 'account.del', levels: ['reseller'], params: async () => { const a = uniq('acc'); await t.ok('account.add', { account: a, password: 'secret1', plan: 'basic' }, sessions.reseller); return { account: a } }, shape: 'true' },
  { method: 'account.list', levels: ['reseller'], params: async () => ({}), shape: { array: 'account' } },
  { method: 'account.invoice.list', levels: RA, params: account, shape: { array: 'invoice' } },
  { method: 'account.invoice.get', levels: 'anonymous', params: async () => ({ account: 'test_account', token: invoiceToken(t.ctx.secret, 'BMBO-83002-25') }), shape: { object: 'invoiceFile' } },
  { method: 'domain.list', levels: RA, params: account, shape: { array: 'domainListItem' } },
  { method: 'domain.add', levels: RA, params: async () => ({ account: 'test_account', domain: `${uniq('n')}.test`, password: 'domain-pass' }), shape: { object: 'domain' } },
  { method: 'domain.get', levels: RAD, params: async (l, h) => ({ domain: await h.domainFor(l) }), shape: { object: 'domain' } },
  { method: 'domain.set', levels: RAD, params: async (l, h) => ({ domain: await h.domainFor(l), memo: 'm' }), shape: { object: 'domain' } },
  { method: 'domain.del', levels: RA, params: async (_, h) => ({ account: 'test_account', domain: await h.domainFor('account') }), shape: 'true' },
  { method: 'domain.capabilities.set', levels: RAD, params: async (l, h) => ({ domain: await h.domainFor(l), capabilities: ['MAIL_SPAMPROTECTION', 'MAIL_BLACKLIST'] }), shape: 'true' },
  { method: 'domain.validate.spf', levels: RAD, params: async () => ({ domain: 'domain1.test' }), shape: { object: 'spf' } },
  { method: 'mail.add', levels: ['account', 'domain'], params: async () => ({ mail: `${uniq('a')}@domain1.test`, password: 'fresh-pass', plan: 'light', first_name: 'A', last_name: 'B', inboxsave: true, forwards: [] }), shape: { object: 'mail' } },
  { method: 'mail.get', levels: ALL, params: mailP(), shape: { object: 'mail' } },
  { method: 'mail.set', levels: ALL, params: mailP({ first_name: 'Set' }), shape: { object: 'mail' } },
  { method: 'mail.list', levels: RAD, params: async () => ({ domain: 'domain1.test', details: false }), shape: { array: 'mailBrief' } },
  { method: 'mail.list', label: 'details', levels: RAD, params: async () => ({ domain: 'domain1.test', details: true }), shape: { array: 'mail' } },
  { method: 'mail.list', label: 'paged', levels: RAD, params: async () => ({ domain: 'domain1.test', page: 1, page_size: 1 }), shape: { object: 'mailListPage' } },
  { method: 'mail.del', levels: RAD, params: async (_, h) => ({ mail: await h.freshMail() }), shape: 'true' },
  { method: 'mail.capabilities.set', levels: RAD, params: async (_, h) => ({ mail: await h.freshMail(), capabilities: ['MAIL_OTP'] }), shape: 'true' },
  { method: 'mail.register', levels: 'anonymous', params: async () => ({ token: await issueRegistrationToken(t.ctx.storage, { domain: 'domain1.test', plan: 'light', expiresAt: null }, t.ctx.clock.now()), mail: `${uniq('r')}@domain1.test`, password: 'reg-pass', first_name: 'R', last_name: 'G', lang: 'en' }), shape: 'true' },
  { method: 'mail.externaluid', levels: RA, params: async (_, h) => { const mail = await h.freshMail(); const uid = uniq('ext-'); await t.ok('mail.set', { mail, uid_extern: uid }, sessions.admin); return { account: 'test_account', uid_extern: uid } }, shape: { object: 'mail' } },
  { method: 'mail.apppassword.list', levels: SUB, params: async (l, h) => { const mail = await h.mailFor(l); await t.ok('mail.apppassword.add', { mail, memo: 'x' }, sessions.admin); return { mail } }, shape: { array: 'appPassword' } },
  { method: 'mail.apppassword.add', levels: SUB, params: mailP({ memo: 'phone' }), shape: { object: 'appPasswordNew' } },
  { method: 'mail.apppassword.del', levels: SUB, params: async (l, h) => ({ id: (await t.ok('mail.apppassword.add', { mail: await h.mailFor(l), memo: 'x' }, sessions.admin)).id }), shape: 'true' },
  { method: 'mail.backup.list', levels: SUB, params: async (l, h) => ({ mail: await h.aged(await h.mailFor(l)) }), shape: { array: 'backup' } },
  { method: 'mail.backup.import', levels: SUB, params: async (l, h) => { const mail = await h.aged(await h.mailFor(l)); const [b] = await t.ok('mail.backup.list', { mail }, sessions.admin); return { mail, id: b.id, time: b.time, filter: 'INBOX' } }, shape: { array: 'backupRestore' } },
  { method: 'mail.blacklist.list', levels: SUB, params: async (l, h) => { const mail = await h.mailFor(l); await t.ok('mail.blacklist.add', { mail, add_address: 'spam@x.test' }, sessions.admin); return { mail } }, shape: 'strings' },
  { method: 'mail.blacklist.add', levels: SUB, params: mailP({ add_address: 'bad@x.test' }), shape: 'strings' },
  { method: 'mail.blacklist.del', levels: SUB, params: mailP({ delete_address: 'bad@x.test' }), shape: 'strings' },
  { method: 'mail.spamprotect.get', levels: SUB, params: mailP(), shape: { object: 'spamprotect' } },
  { method: 'mail.spamprotect.set', levels: SUB, params: mailP({ greylist: '1', smtp_plausibility: '1', rbl: '0', bypass_banned_checks: '0', tag2level: 6.5, killevel: 'route', route_to: 'Spam' }), shape: { object: 'spamprotect' } },
  { method: 'mail.vacation.get', levels: SUB, params: mailP(), shape: { object: 'vacation' } },
  { method: 'mail.vacation.set', levels: SUB, params: mailP({ subject: 'Away', start_date: '2026-07-01', end_date: '2026-07-14' }), shape: 'true' },
  { method: 'mail.passwordreset.listmethods', levels: 'anonymous', params: async () => ({ mail: 'user1@domain1.test' }), shape: 'strings' },
  { method: 'mail.passwordreset.sendsms', levels: 'anonymous', params: async () => ({ mail: 'user1@domain1.test', cell_phone: '+49 170 0000000' }), shape: 'true' },
  { method: 'mail.passwordreset.setpassword', levels: 'anonymous', params: async (_, h) => {
      const mail = await h.freshMail()
      await t.ok('mail.capabilities.set', { mail, capabilities: ['MAIL_PASSWORDRESET_SMS'] }, sessions.admin)
      await t.ok('mail.set', { mail, cell_phone: '+491701234567' }, sessions.admin)
      await t.ok('mail.passwordreset.sendsms', { mail, cell_phone: '+49 170 1234567' })
      const [sms] = await t.ctx.storage.findMany<SmsRow>({ model: SMS, sort: [{ field: 'id', dir: 'desc' }], limit: 1 })
      return { mail, token: /is (\d{8})\./.exec(sms!.text)![1], password: 'after-reset' }
    }, shape: 'true' },
  { method: 'mail.videochat.list', levels: SUB, params: async (l, h) => { const mail = await h.mailFor(l); await t.ok('mail.videochat.add', { mail, room_name: 'Daily' }, sessions.admin); return { mail } }, shape: { array: 'videochatRoom' } },
  { method: 'mail.videochat.add', levels: SUB, params: mailP({ room_name: 'Team', room_memo: 'weekly' }), shape: 'true' },
  { method: 'mail.videochat.update', levels: SUB, params: async (l, h) => { const mail = await h.mailFor(l); await t.ok('mail.videochat.add', { mail, room_name: 'U' }, sessions.admin); const rooms = await t.ok('mail.videochat.list', { mail }, sessions.admin); return { mail, room_id: rooms.at(-1).room_id, room_password: 'room-pass' } }, shape: 'true' },
  { method: 'mail.videochat.del', levels: SUB, params: async (l, h) => { const mail = await h.mailFor(l); await t.ok('mail.videochat.add', { mail, room_name: 'D' }, sessions.admin); const rooms = await t.ok('mail.videochat.list', { mail }, sessions.admin); return { mail, room_id: rooms.at(-1).room_id } }, shape: 'true' },
  { method: 'mailinglist.list', levels: ['account'], params: async () => { await t.call('mailinglist.add', { mailinglist: 'ml-list', password: 'secret1', account: 'test_account' }, sessions.admin); return { account: 'test_account' } }, shape: { array: 'mailinglist' } },
  { method: 'mailinglist.get', levels: ['account'], params: async () => { const l = uniq('ml'); await t.ok('mailinglist.add', { mailinglist: l, password: 'secret1', account: 'test_account' }, sessions.admin); return { mailinglist: l, account: 'test_account' } }, shape: { object: 'mailinglist' } },
  { method: 'mailinglist.add', levels: ['account'], params: async () => ({ mailinglist: uniq('ml'), password: 'secret1', account: 'test_account' }), shape: 'true' },
  { method: 'mailinglist.set', levels: ['account'], params: async () => { const l = uniq('ml'); await t.ok('mailinglist.add', { mailinglist: l, password: 'secret1', account: 'test_account' }, sessions.admin); return { mailinglist: l, account: 'test_account', adminmail: 'a@b.test' } }, shape: 'true' },
  { method: 'mailinglist.del', levels: ['account'], params: async () => { const l = uniq('ml'); await t.ok('mailinglist.add', { mailinglist: l, password: 'secret1', account: 'test_account' }, sessions.admin); return { mailinglist: l, account: 'test_account' } }, shape: 'true' },
  { method: 'context.list', levels: RA, params: account, shape: (r) => { for (const v of Object.values(r as object)) expect(Array.isArray(v)).toBe(true) } },
  { method: 'group.list', levels: RA, params: async () => { await t.call('group.add', { account: 'test_account', name: 'all', display_name: 'All', mail_addresses_to_add: ['user1@domain1.test'] }, sessions.admin); return { account: 'test_account' } }, shape: { array: 'group' } },
  { method: 'group.get', levels: RA, params: async () => { const name = uniq('g'); await t.ok('group.add', { account: 'test_account', name, display_name: 'G', mail_addresses_to_add: [] }, sessions.admin); const g = (await t.ok('group.list', { account: 'test_account' }, sessions.admin)).find((x: { name: string }) => x.name === name); return { account: 'test_account', group_id: g.group_id } }, shape: { object: 'group' } },
  { method: 'group.add', levels: RA, params: async () => ({ account: 'test_account', name: uniq('g'), display_name: 'New', mail_addresses_to_add: ['user2@domain1.test'] }), shape: 'true' },
  { method: 'group.set', levels: RA, params: async () => ({ account: 'test_account', group_id: (await t.ok('group.list', { account: 'test_account' }, sessions.admin))[0].group_id, display_name: 'Renamed', mail_addresses_to_add: ['user2@domain1.test'] }), shape: 'true' },
  { method: 'group.del', levels: RA, params: async () => { const name = uniq('g'); await t.ok('group.add', { account: 'test_account', name, display_name: 'G', mail_addresses_to_add: [] }, sessions.admin); const g = (await t.ok('group.list', { account: 'test_account' }, sessions.admin)).find((x: { name: string }) => x.name === name); return { account: 'test_account', group_id: g.group_id } }, shape: 'true' },
  { method: 'additionalmailaccount.list', levels: SUB, params: async (l, h) => { const parent_mail = await h.mailFor(l); await t.call('additionalmailaccount.add', { parent_mail, new_account_mail: 'old@elsewhere.test', new_account_password: 'pw' }, sessions.admin); return { parent_mail } }, shape: (r) => { const l = r as { additional_accounts: unknown[]; details: object[] }; expect(Object.keys(l)).toEqual(wireKeys('additionalAccounts')); expect(l.additional_accounts).toContain('old@elsewhere.test'); for (const a of l.details) expect(Object.keys(a)).toEqual(wireKeys('additionalAccount')); expect(l.details.length).toBe(l.additional_accounts.length) } },
  { method: 'additionalmailaccount.add', levels: SUB, params: async (l, h) => ({ parent_mail: await h.mailFor(l), new_account_mail: `${uniq('x')}@elsewhere.test`, new_account_password: 'pw', mail_port: 143, mail_secure: false, mail_starttls: true }), shape: 'true' },
  { method: 'additionalmailaccount.delete', levels: SUB, params: async (l, h) => { const parent_mail = await h.mailFor(l); const account_mail = `${uniq('x')}@elsewhere.test`; await t.ok('additionalmailaccount.add', { parent_mail, new_account_mail: account_mail, new_account_password: 'pw' }, sessions.admin); return { parent_mail, account_mail } }, shape: 'true' },
]

function checkShape(r: unknown, shape: Shape) {
  if (typeof shape === 'function') return shape(r)
  if (shape === 'true') return expect(r).toBe(true)
  if (shape === 'string') return expect(typeof r).toBe('string')
  if (shape === 'boolean') return expect(typeof r).toBe('boolean')
  if (shape === 'strings') {
    expect(Array.isArray(r)).toBe(true)
    for (const s of r as unknown[]) expect(typeof s).toBe('string')
    return
  }
  if ('object' in shape) return expect(Object.keys(r as object)).toEqual(wireKeys(shape.object))
  expect(Array.isArray(r) && r.length > 0, `a non-empty array, got ${JSON.stringify(r)}`).toBe(true)
  for (const item of r as object[]) expect(Object.keys(item)).toEqual(wireKeys(shape.array))
}

/** A level the method refuses: below its lowest, or beside it. */
const DENIED_ORDER: Level[] = ['reseller', 'domain', 'mail', 'account']
const denied = (levels: readonly Level[]) => DENIED_ORDER.find((l) => !levels.includes(l))

describe('every method at every level', () => {
  beforeAll(async () => {
    t = await startApp({
      resolver: fakeDns({
        'domain1.test': ['v=spf1 include:mailbox.org ~all'],
        'mailbox.org': ['v=spf1 ip4:80.241.60.0/24 -all'],
      }),
    })
    sessions.admin = await t.login('demo_admin', 'demo-admin-pass')
    sessions.reseller = await t.login('demo_reseller', 'demo-reseller-pass')
    sessions.account = await t.login('test_account', '123456')
    await t.ok('domain.set', { domain: 'domain1.test', password: 'domain-pass-1' }, sessions.admin)
    await t.ok(
      'mail.set',
      { mail: 'user1@domain1.test', password: 'mail-pass-1', cell_phone: '+491700000000' },
      sessions.admin,
    )
    await t.ok(
      'mail.capabilities.set',
      { mail: 'user1@domain1.test', capabilities: ['MAIL_PASSWORDRESET_SMS'] },
      sessions.admin,
    )
    sessions.domain = await t.login('domain1.test', 'domain-pass-1')
    sessions.mail = await t.login('user1@domain1.test', 'mail-pass-1')
    await t.ctx.storage.create({
      model: INVOICE,
      data: {
        invoice_id: 'BMBO-83002-25',
        account: 'test_account',
        date: '2025-10-30',
        amount: 0,
        status: 'storniert',
        created_at: t.ctx.clock.now(),
      },
    })
  })

  it('covers every method the plugin serves, each declared with the levels of the table', () => {
    const declared = mailboxorgMethods()
    expect(new Set(TABLE.map((r) => r.method))).toEqual(new Set(declared.map((m) => m.name)))
    for (const m of declared) {
      const row = TABLE.find((r) => r.method === m.name)!
      expect(m.access, m.name).toEqual(row.levels)
    }
  })

  for (const row of TABLE) {
    const name = `${row.method}${row.label ? ` (${row.label})` : ''}`
    if (row.levels === 'anonymous') {
      it(`${name}: anonymous`, async () => {
        checkShape(await t.ok(row.method, await row.params('anonymous', helpers)), row.shape)
      })
      continue
    }
    const allowed: Level[] =
      row.levels === 'session' ? ['admin', 'reseller', 'account', 'domain', 'mail'] : ['admin', ...row.levels]
    for (const level of allowed)
      it(`${name}: allowed at ${level}`, async () => {
        const s = row.freshSession ? await freshSession(level) : sessions[level]
        checkShape(await t.ok(row.method, await row.params(level, helpers), s), row.shape)
      })
    const refused = row.levels === 'session' ? undefined : denied(row.levels)
    it(`${name}: refused ${refused ? `at ${refused} (code 2)` : 'without a session (code 253)'}`, async () => {
      const params = await row.params(refused ?? 'account', helpers)
      const r = await t.call(row.method, params, refused ? sessions[refused] : undefined)
      expect(r.error).toEqual(
        refused ? { code: 2, message: 'Access denied' } : { code: 253, message: 'This Auth-ID is invalid' },
      )
    })
  }
})

async function freshSession(level: Level): Promise<string> {
  const logins: Record<Level, [string, string]> = {
    admin: ['demo_admin', 'demo-admin-pass'],
    reseller: ['demo_reseller', 'demo-reseller-pass'],
    account: ['test_account', '123456'],
    domain: ['domain1.test', 'domain-pass-1'],
    mail: ['user1@domain1.test', 'mail-pass-1'],
  }
  return t.login(...logins[level])
}
