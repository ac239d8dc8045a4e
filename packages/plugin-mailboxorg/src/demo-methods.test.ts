import { beforeAll, describe, expect, it } from 'vitest'
import { fakeDns } from '../test/fake-dns.ts'
import { startApp, type TestApp } from '../test/testkit.ts'
import { mailboxorgMethods } from './index.ts'
import { SMS, type SmsRow } from './store-resources.ts'

// A fresh server with nothing but the demo data: every method of the registry is called once, with
// the demo credentials and parameters built from the demo data (or from what an earlier call made),
// and succeeds. A method added without a case here fails the first test.

type Who = 'anonymous' | 'reseller' | 'account'
interface Case {
  as: Who
  params: () => Record<string, unknown> | Promise<Record<string, unknown>>
  /** What the answer must be, beyond "not an error". */
  check?: (r: any) => void
}

let t: TestApp
const session = {} as Record<Exclude<Who, 'anonymous'>, string>
/** Answers of earlier calls that later ones need (tokens, ids). */
const got: Record<string, any> = {}

const account = { account: 'test_account' }
const user1 = 'user1@domain1.test'
const NEW_DOMAIN = 'demo-new.test'
const NEW_MAIL = `new@${NEW_DOMAIN}`

// biome-ignore format: a table, one method a line group, in the order they are called
const CASES: [method: string, c: Case][] = [
  ['auth', { as: 'anonymous', params: () => ({ user: 'test_account', pass: '123456' }), check: (r) => expect(r.level).toBe('account') }],
  ['hello.world', { as: 'anonymous', params: () => ({}), check: (r) => expect(r).toBe('Hello World!') }],
  ['hello.innerworld', { as: 'account', params: () => ({}), check: (r) => expect(r).toBe('Hello Inner-World!') }],
  ['rpc.discover', { as: 'anonymous', params: () => ({}), check: (r) => expect(r.openrpc).toMatch(/^1\./) }],
  ['search', { as: 'account', params: () => ({ query: 'domain1' }), check: (r) => expect(r.domains).toContain('domain1.test') }],
  ['test.accountallowed', { as: 'account', params: () => account, check: (r) => expect(r).toBe(true) }],
  ['test.domainallowed', { as: 'account', params: () => ({ domain: 'domain1.test' }), check: (r) => expect(r).toBe(true) }],
  ['utils.validator', { as: 'account', params: () => ({ value: user1, type: 'mail' }), check: (r) => expect(r).toBe(true) }],
  ['account.add', { as: 'reseller', params: () => ({ account: 'demo_new_account', password: 'secret1', plan: 'basic' }), check: (r) => expect(r.account).toBe('demo_new_account') }],
  ['account.get', { as: 'account', params: () => account, check: (r) => expect(r.plan).toBe('basic') }],
  ['account.set', { as: 'account', params: () => ({ ...account, memo: 'tried every method' }), check: (r) => expect(r.memo).toBe('tried every method') }],
  ['account.list', { as: 'reseller', params: () => ({}), check: (r) => expect(r.map((a: { account: string }) => a.account)).toContain('test_account') }],
  ['account.del', { as: 'reseller', params: () => ({ account: 'demo_new_account' }), check: (r) => expect(r).toBe(true) }],
  ['account.invoice.list', { as: 'account', params: () => account, check: (r) => { expect(r.map((i: { invoice_id: string }) => i.invoice_id)).toEqual(['BMBO-10001-25']); got.invoice = r[0] } }],
  ['account.invoice.get', { as: 'anonymous', params: () => ({ ...account, token: got.invoice.token }), check: (r) => { expect(r.invoice_id).toBe('BMBO-10001-25'); expect(r.bin.length).toBeGreaterThan(0) } }],
  ['domain.list', { as: 'account', params: () => account, check: (r) => expect(r).toEqual([{ domain: 'domain1.test', count_mails: 2 }, { domain: 'domain2.test', count_mails: 0 }, { domain: 'domain3.test', count_mails: 33 }, { domain: 'domain4.test', count_mails: 0 }]) }],
  ['domain.add', { as: 'account', params: () => ({ ...account, domain: NEW_DOMAIN, password: 'domain-pass' }), check: (r) => expect(r.domain).toBe(NEW_DOMAIN) }],
  ['domain.get', { as: 'account', params: () => ({ domain: 'domain1.test' }), check: (r) => expect(r.count_mails).toBe(2) }],
  ['domain.set', { as: 'account', params: () => ({ domain: NEW_DOMAIN, memo: 'new' }), check: (r) => expect(r.memo).toBe('new') }],
  ['domain.capabilities.set', { as: 'account', params: () => ({ domain: NEW_DOMAIN, capabilities: ['MAIL_BLACKLIST'] }), check: (r) => expect(r).toBe(true) }],
  ['domain.validate.spf', { as: 'account', params: () => ({ domain: 'domain1.test' }), check: (r) => expect(r.domain).toBe('domain1.test') }],
  ['context.list', { as: 'account', params: () => account, check: (r) => expect(typeof r).toBe('object') }],
  ['mail.add', { as: 'account', params: () => ({ mail: NEW_MAIL, password: 'fresh-pass', plan: 'standard', first_name: 'New', last_name: 'Box', inboxsave: true, forwards: [] }), check: (r) => expect(r.mail).toBe(NEW_MAIL) }],
  ['mail.get', { as: 'account', params: () => ({ mail: user1 }), check: (r) => expect(r.creation_date).toBe('2025-01-15') }],
  ['mail.set', { as: 'account', params: () => ({ mail: NEW_MAIL, first_name: 'Set', plan: 'premium' }), check: (r) => expect(r.plan).toBe('premium') }],
  ['mail.list', { as: 'account', params: () => ({ domain: 'domain1.test' }), check: (r) => expect(r).toHaveLength(2) }],
  ['mail.capabilities.set', { as: 'account', params: () => ({ mail: NEW_MAIL, capabilities: ['MAIL_SPAMPROTECTION'] }), check: (r) => expect(r).toBe(true) }],
  ['mail.externaluid', { as: 'account', params: () => ({ ...account, uid_extern: 'demo-ext-user1' }), check: (r) => expect(r.mail).toBe(user1) }],
  ['mail.register', { as: 'anonymous', params: () => ({ token: 'demo-registration-token-domain1', mail: 'registered@domain1.test', password: 'reg-pass-1', first_name: 'Reg', last_name: 'Istered', lang: 'en' }), check: (r) => expect(r).toBe(true) }],
  ['mail.apppassword.add', { as: 'account', params: () => ({ mail: user1, memo: 'phone' }), check: (r) => { expect(r.password).toBeTruthy(); got.appPassword = r.id } }],
  ['mail.apppassword.list', { as: 'account', params: () => ({ mail: user1 }), check: (r) => expect(r.map((a: { id: number }) => a.id)).toEqual([got.appPassword]) }],
  ['mail.apppassword.del', { as: 'account', params: () => ({ id: got.appPassword }), check: (r) => expect(r).toBe(true) }],
  ['mail.backup.list', { as: 'account', params: () => ({ mail: user1 }), check: (r) => { expect(r.map((b: { date: string }) => b.date)).toEqual(['2026-01-03 02:00:00', '2026-01-02 02:00:00', '2026-01-01 02:00:00']); got.backup = r[0] } }],
  ['mail.backup.import', { as: 'account', params: () => ({ mail: user1, id: got.backup.id, time: got.backup.time, filter: 'all' }), check: (r) => expect(r[0]).toMatchObject({ id: 1, time: got.backup.time, filter: 'all', status: 'queued' }) }],
  ['mail.blacklist.add', { as: 'account', params: () => ({ mail: user1, add_address: 'spam@example.org' }), check: (r) => expect(r).toEqual(['spam@example.org']) }],
  ['mail.blacklist.list', { as: 'account', params: () => ({ mail: user1 }), check: (r) => expect(r).toEqual(['spam@example.org']) }],
  ['mail.blacklist.del', { as: 'account', params: () => ({ mail: user1, delete_address: 'spam@example.org' }), check: (r) => expect(r).toEqual([]) }],
  ['mail.spamprotect.get', { as: 'account', params: () => ({ mail: user1 }), check: (r) => expect(r).toHaveProperty('greylist') }],
  ['mail.spamprotect.set', { as: 'account', params: () => ({ mail: user1, greylist: '1', smtp_plausibility: '1', rbl: '1', bypass_banned_checks: '0', tag2level: 5.5, killevel: 'route', route_to: 'Spam' }), check: (r) => expect(r.route_to).toBe('Spam') }],
  ['mail.vacation.set', { as: 'account', params: () => ({ mail: user1, subject: 'Away', start_date: '2026-07-01', end_date: '2026-07-14' }), check: (r) => expect(r).toBe(true) }],
  ['mail.vacation.get', { as: 'account', params: () => ({ mail: user1 }), check: (r) => expect(r.subject).toBe('Away') }],
  ['mail.passwordreset.listmethods', { as: 'anonymous', params: () => ({ mail: user1 }), check: (r) => expect(r).toEqual(['sms']) }],
  ['mail.passwordreset.sendsms', { as: 'anonymous', params: () => ({ mail: user1, cell_phone: '+49 170 1234567' }), check: (r) => expect(r).toBe(true) }],
  ['mail.passwordreset.setpassword', { as: 'anonymous', params: async () => ({ mail: user1, token: await lastSmsCode(), password: 'after-reset-1' }), check: (r) => expect(r).toBe(true) }],
  ['mail.videochat.add', { as: 'account', params: () => ({ mail: user1, room_name: 'Daily', room_memo: 'stand-up' }), check: (r) => expect(r).toBe(true) }],
  ['mail.videochat.list', { as: 'account', params: () => ({ mail: user1 }), check: (r) => { expect(r.map((x: { room_name: string }) => x.room_name)).toEqual(['Daily']); got.room = r[0].room_id } }],
  ['mail.videochat.update', { as: 'account', params: () => ({ mail: user1, room_id: got.room, room_password: 'room-pass' }), check: (r) => expect(r).toBe(true) }],
  ['mail.videochat.del', { as: 'account', params: () => ({ mail: user1, room_id: got.room }), check: (r) => expect(r).toBe(true) }],
  ['mailinglist.add', { as: 'account', params: () => ({ ...account, mailinglist: 'demo-list', password: 'secret1' }), check: (r) => expect(r).toBe(true) }],
  ['mailinglist.list', { as: 'account', params: () => account, check: (r) => expect(r.map((l: { mailinglist: string }) => l.mailinglist)).toEqual(['demo-list']) }],
  ['mailinglist.get', { as: 'account', params: () => ({ ...account, mailinglist: 'demo-list' }), check: (r) => expect(r.mailinglist).toBe('demo-list') }],
  ['mailinglist.set', { as: 'account', params: () => ({ ...account, mailinglist: 'demo-list', adminmail: user1 }), check: (r) => expect(r).toBe(true) }],
  ['mailinglist.del', { as: 'account', params: () => ({ ...account, mailinglist: 'demo-list' }), check: (r) => expect(r).toBe(true) }],
  ['group.add', { as: 'account', params: () => ({ ...account, name: 'team', display_name: 'Team', mail_addresses_to_add: [user1] }), check: (r) => expect(r).toBe(true) }],
  ['group.list', { as: 'account', params: () => account, check: (r) => { expect(r.map((g: { name: string }) => g.name)).toEqual(['team']); got.group = r[0].group_id } }],
  ['group.get', { as: 'account', params: () => ({ ...account, group_id: got.group }), check: (r) => expect(r.mail_addresses).toEqual([user1]) }],
  ['group.set', { as: 'account', params: () => ({ ...account, group_id: got.group, display_name: 'The team' }), check: (r) => expect(r).toBe(true) }],
  ['group.del', { as: 'account', params: () => ({ ...account, group_id: got.group }), check: (r) => expect(r).toBe(true) }],
  ['additionalmailaccount.add', { as: 'account', params: () => ({ parent_mail: user1, new_account_mail: 'old@provider.example', new_account_password: 'imap-pass' }), check: (r) => expect(r).toBe(true) }],
  ['additionalmailaccount.list', { as: 'account', params: () => ({ parent_mail: user1 }), check: (r) => expect(r.additional_accounts).toEqual(['old@provider.example']) }],
  ['additionalmailaccount.delete', { as: 'account', params: () => ({ parent_mail: user1, account_mail: 'old@provider.example' }), check: (r) => expect(r).toBe(true) }],
  ['mail.del', { as: 'account', params: () => ({ mail: NEW_MAIL }), check: (r) => expect(r).toBe(true) }],
  ['domain.del', { as: 'account', params: () => ({ ...account, domain: NEW_DOMAIN }), check: (r) => expect(r).toBe(true) }],
  ['deauth', { as: 'account', params: () => ({}), check: (r) => expect(r).toBe(true) }],
]

async function lastSmsCode(): Promise<string> {
  const [sms] = await t.ctx.storage.findMany<SmsRow>({
    model: SMS,
    sort: [{ field: 'id', dir: 'desc' }],
    limit: 1,
  })
  return /is (\d{8})\./.exec(sms!.text)![1]!
}

describe('every method on a fresh server with the demo data', () => {
  beforeAll(async () => {
    // No DNS beyond loopback here: domain.validate.spf answers from an empty zone (no SPF record).
    t = await startApp({ resolver: fakeDns({}) })
    session.account = await t.login('test_account', '123456')
    session.reseller = await t.login('demo_reseller', 'demo-reseller-pass')
  })

  it('has one case per method of the registry, each once', () => {
    const names = CASES.map(([m]) => m)
    expect(new Set(names).size).toBe(names.length)
    expect([...names].sort()).toEqual(
      mailboxorgMethods()
        .map((m) => m.name)
        .sort(),
    )
  })

  for (const [method, c] of CASES)
    it(`${method} (${c.as})`, async () => {
      const r = await t.call(method, await c.params(), c.as === 'anonymous' ? undefined : session[c.as])
      expect(r.error, `${method}: ${JSON.stringify(r.error)}`).toBeUndefined()
      c.check?.(r.result)
    })
})
