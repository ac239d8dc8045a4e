import { readFileSync } from 'node:fs'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fixtures } from './fixtures.ts'
import { mailboxorgPlugin } from './index.ts'
import { TOP_UP_SLACK_MS } from './sessions.ts'
import { wireKeys } from './wire.ts'

const DEMO = JSON.parse(
  readFileSync(new URL('../../../fixtures/demo.json', import.meta.url), 'utf8'),
).mailboxorg

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options })
  ;({ app } = await mountPluginForTest(mailboxorgPlugin(), ctx))
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
}

/** POST a raw body to /v1/ as a client would; the parsed answer (null for 204). */
async function post(body: unknown, headers: Record<string, string> = {}, path = '/v1/') {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  if (res.status === 204) return { status: 204, body: null }
  expect(res.headers.get('content-type')).toBe('application/json')
  return { status: res.status, body: JSON.parse(await res.text()) }
}
const call = async (
  method: string,
  params: unknown = '',
  session?: string,
  extra: Record<string, string> = {},
) =>
  (
    await post(
      { jsonrpc: '2.0', id: '1', method, params },
      { ...(session ? { 'HPLS-AUTH': session } : {}), ...extra },
    )
  ).body
const login = async (user: string, pass: string) =>
  (await call('auth', { user, pass })).result.session as string

describe('the seed examples, replayed', () => {
  beforeAll(() => setup())

  it('auth: success', async () => {
    const r = await post(
      '{\n"jsonrpc":"2.0",\n"method":"auth",\n"params":{\n"user":"test_account",\n"pass":"123456"\n},\n"id":"1"\n}',
    )
    expect(r.status).toBe(200)
    expect(Object.keys(r.body)).toEqual(['jsonrpc', 'result', 'id'])
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      result: { session: expect.any(String), level: 'account' },
      id: '1',
    })
    expect(r.body.result.session).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })

  it('auth: invalid credentials', async () => {
    const r = await post({
      jsonrpc: '2.0',
      method: 'auth',
      params: { user: 'test_account', pass: 'wrong' },
      id: '1',
    })
    expect(r.body).toEqual({ jsonrpc: '2.0', error: { code: 2, message: 'Access denied' }, id: '1' })
    expect((await call('auth', { user: 'nobody', pass: '123456' })).error).toEqual({
      code: 2,
      message: 'Access denied',
    })
  })

  it('hello.world', async () => {
    expect(
      (await post('{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"hello.world",\n"params":""\n}')).body,
    ).toEqual({
      jsonrpc: '2.0',
      result: 'Hello World!',
      id: '1',
    })
  })

  it('hello.innerworld with a valid Auth-ID, and 253 without one', async () => {
    const s = await login('test_account', '123456')
    const body = '{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"hello.innerworld",\n"params":""\n}'
    expect((await post(body, { 'HPLS-AUTH': s })).body).toEqual({
      jsonrpc: '2.0',
      result: 'Hello Inner-World!',
      id: '1',
    })
    expect((await post(body)).body).toEqual({
      jsonrpc: '2.0',
      error: { code: 253, message: 'This Auth-ID is invalid' },
      id: '1',
    })
    expect(
      (await post(body, { 'HPLS-AUTH': 'LV;N%5TD7)64y&JOpK956fbe591dd89b8.38138624' })).body.error.code,
    ).toBe(253)
  })

  it('domain.list', async () => {
    const s = await login('test_account', '123456')
    const r = await post(
      '{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"domain.list",\n"params":{\n"account":"test_account"\n}\n}',
      {
        'HPLS-AUTH': s,
      },
    )
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      result: [
        { domain: 'domain1.test', count_mails: 2 },
        { domain: 'domain2.test', count_mails: 0 },
        { domain: 'domain3.test', count_mails: 33 },
        { domain: 'domain4.test', count_mails: 0 },
      ],
      id: '1',
    })
  })

  it('deauth with a valid Auth-ID; the Auth-ID is dead afterwards', async () => {
    const s = await login('test_account', '123456')
    expect(
      (await post('{\n"jsonrpc":"2.0",\n"id":"1",\n"method":"deauth",\n"params":""\n}', { 'HPLS-AUTH': s }))
        .body,
    ).toEqual({
      jsonrpc: '2.0',
      result: true,
      id: '1',
    })
    expect((await call('hello.innerworld', '', s)).error.code).toBe(253)
  })
})

describe('transport', () => {
  beforeAll(() => setup())

  it('parses the body as JSON whatever the Content-Type, at /v1 and /v1/', async () => {
    for (const path of ['/v1/', '/v1'])
      for (const type of ['application/x-www-form-urlencoded', 'text/json', 'text/plain']) {
        const r = await post({ jsonrpc: '2.0', method: 'hello.world', id: 7 }, { 'Content-Type': type }, path)
        expect(r.body).toEqual({ jsonrpc: '2.0', result: 'Hello World!', id: 7 })
      }
  })

  it('matches the session header case-insensitively', async () => {
    const s = await login('test_account', '123456')
    expect((await call('hello.innerworld', '', undefined, { 'Hpls-Auth': s })).result).toBe(
      'Hello Inner-World!',
    )
  })

  it('answers 204 to notifications and 405 to other methods', async () => {
    expect((await post({ jsonrpc: '2.0', method: 'hello.world' })).status).toBe(204)
    const res = await app.request('/v1/', { method: 'GET' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
  })

  it.each([
    ['{}', {}],
    ['[]', []],
    ['null', null],
    ['missing', undefined],
  ])('takes params %s as no params', async (_, params) => {
    const r = await post({
      jsonrpc: '2.0',
      method: 'hello.world',
      id: 'x',
      ...(params === undefined ? {} : { params }),
    })
    expect(r.body.result).toBe('Hello World!')
  })

  it('answers -32601 and -32602 with the field detail, and positional params by declaration order', async () => {
    expect((await call('nope.nothing')).error).toEqual({ code: -32601, message: 'Method not found' })
    const bad = await call('auth', { user: 'x' })
    expect(bad.error.code).toBe(-32602)
    expect(bad.error.data).toEqual([{ path: ['pass'], message: expect.any(String) }])
    const pos = await post({ jsonrpc: '2.0', method: 'auth', params: ['test_account', '123456'], id: 1 })
    expect(pos.body.result.level).toBe('account')
  })

  it('answers in German with Accept-Language: de', async () => {
    expect(
      (
        await call('auth', { user: 'test_account', pass: 'x' }, undefined, {
          'Accept-Language': 'de-DE,de;q=0.9',
        })
      ).error,
    ).toEqual({
      code: 2,
      message: 'Zugriff verweigert',
    })
    expect((await call('hello.innerworld', '', undefined, { 'Accept-Language': 'de' })).error.message).toBe(
      'Diese Auth-ID ist ungültig',
    )
    expect((await call('no.such', '', undefined, { 'Accept-Language': 'en;q=0.5, de' })).error.message).toBe(
      'Methode nicht gefunden',
    )
  })

  it('answers a batch in order, with a login and a call in it', async () => {
    const s = await login('test_account', '123456')
    const r = await post(
      [
        { jsonrpc: '2.0', method: 'hello.world', id: 1 },
        { jsonrpc: '2.0', method: 'hello.innerworld', id: 2 },
        { jsonrpc: '2.0', method: 'hello.world' },
        { jsonrpc: '2.0', method: 'deauth', id: 3 },
        { jsonrpc: '2.0', method: 'hello.innerworld', id: 4 },
      ],
      { 'HPLS-AUTH': s },
    )
    expect(r.body.map((a: { id: unknown }) => a.id)).toEqual([1, 2, 3, 4])
    expect(r.body[1].result).toBe('Hello Inner-World!')
    expect(r.body[3].error.code).toBe(253)
  })

  it('limits the batch size and the body', async () => {
    await setup({ max_batch: '2' })
    const r = await post([1, 2, 3].map((id) => ({ jsonrpc: '2.0', method: 'hello.world', id })))
    expect(r.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request', data: 'a batch may hold at most 2 calls' },
      id: null,
    })
    ctx.bodyLimit = 100
    ;({ app } = await mountPluginForTest(mailboxorgPlugin(), ctx))
    const big = await post({ jsonrpc: '2.0', method: 'hello.world', params: { x: 'y'.repeat(200) }, id: 1 })
    expect(big.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request: the body is too large' },
      id: null,
    })
  })
})

describe('sessions', () => {
  beforeEach(() => setup())
  const MIN = 60_000

  it('expire 20 minutes after the last use, each use topping them up', async () => {
    const s = await login('test_account', '123456')
    ctx.clock.advance(19 * MIN)
    expect((await call('hello.innerworld', '', s)).result).toBeDefined()
    ctx.clock.advance(19 * MIN) // 38 min after login, 19 after the last use
    expect((await call('hello.innerworld', '', s)).result).toBeDefined()
    ctx.clock.advance(20 * MIN + TOP_UP_SLACK_MS + 1)
    expect((await call('hello.innerworld', '', s)).error).toEqual({
      code: 253,
      message: 'This Auth-ID is invalid',
    })
  })

  it('never end before 20 minutes, whatever the top-up slack', async () => {
    const s = await login('test_account', '123456')
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(10_000)
      expect((await call('hello.innerworld', '', s)).result).toBeDefined()
    }
    ctx.clock.advance(20 * MIN - 1)
    expect((await call('hello.innerworld', '', s)).result).toBeDefined()
  })

  it('write to the store at most once a minute per session, not on every call', async () => {
    const s = await login('test_account', '123456')
    let writes = 0
    const update = ctx.storage.updateMany.bind(ctx.storage)
    ctx.storage.updateMany = async (a) => {
      writes++
      return update(a)
    }
    for (let i = 0; i < 120; i++) {
      ctx.clock.advance(1000)
      await call('hello.innerworld', '', s)
    }
    expect(writes).toBeLessThanOrEqual(2)
  })

  it('are stored only as hashes, and a session from one instance works on another', async () => {
    const s = await login('test_account', '123456')
    const rows = await ctx.storage.findMany({ model: 'mailboxorg_session' })
    expect(JSON.stringify(rows)).not.toContain(s)
    const other = await mountPluginForTest(mailboxorgPlugin(), ctx)
    const res = await other.app.request('/v1/', {
      method: 'POST',
      headers: { 'HPLS-AUTH': s },
      body: '{"jsonrpc":"2.0","method":"hello.innerworld","id":1}',
    })
    expect((await res.json()).result).toBe('Hello Inner-World!')
  })

  it('throttles logins per user with code 2 and a message to wait', async () => {
    await setup({ auth_attempts: '3' })
    for (let i = 0; i < 3; i++) await call('auth', { user: 'test_account', pass: 'bad' })
    const r = await call('auth', { user: 'test_account', pass: '123456' })
    expect(r.error.code).toBe(2)
    expect(r.error.message).toBe('Access denied: too many failed logins, wait 900 seconds')
  })
})

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

describe('fixtures', () => {
  it('round-trip through export and load', async () => {
    await setup()
    const s = await login('test_account', '123456')
    await call('mail.blacklist.add', { mail: 'user1@domain1.test', add_address: 'x@y.z' }, s)
    await call('mail.apppassword.add', { mail: 'user1@domain1.test', memo: 'tablet' }, s)
    await call('mailinglist.add', { mailinglist: 'all', password: 'secret1', account: 'test_account' }, s)
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
  })
})
