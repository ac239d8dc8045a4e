import { execFileSync } from 'node:child_process'
import { encodeBasic, preparePlugin, sha512Crypt } from '@mailfront/core'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import bcryptjs from 'bcryptjs'
import { beforeEach, describe, expect, it } from 'vitest'
import { fixtures } from './fixtures.ts'
import { tmailPlugin } from './index.ts'
import { processQueue } from './queue.ts'

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
const ADMIN = encodeBasic('admin', 'admin')
const TYPE = 'application/json; charset=UTF-8'

const SEED_QUEUE = [
  {
    Id: 1,
    Uuid: '5217dfdc96d7216d7074b329f88d11f76dee997b',
    MailFrom: 'toorop@tmail.io',
    AuthUser: 'toorop@tmail.io',
    RcptTo: 'toorop@toorop.fr',
    MessageId: '5528C725.8060007@tmail.io',
    Host: 'toorop.fr',
    LastUpdate: '2015-04-11T09:03:02.737629459+02:00',
    AddedAt: '2015-04-11T09:03:02.737629459+02:00',
    NextDeliveryScheduledAt: '2015-04-11T16:44:35.994411773+02:00',
    Status: 2,
    DeliveryFailedCount: 0,
  },
  {
    Id: 2,
    Uuid: 'bd36f47dab0e27482ce5db8605415e32978f0185',
    MailFrom: 'toorop@tmail.io',
    AuthUser: 'toorop@tmail.io',
    RcptTo: 'stephane@protecmail.com',
    MessageId: '5529331C.3050308@tmail.io',
    Host: 'protecmail.com',
    LastUpdate: '2015-04-11T16:43:41.965596115+02:00',
    AddedAt: '2015-04-11T16:43:41.965596115+02:00',
    NextDeliveryScheduledAt: '0001-01-01T00:09:21+00:09',
    Status: 0,
    DeliveryFailedCount: 0,
  },
]

async function setup(options: Record<string, string> = {}, over: Partial<TestContext> = {}) {
  const plugin = tmailPlugin()
  // Prepared here, so that fixtures and queue calls below see its parsed options and state.
  ctx = preparePlugin(plugin, createTestContext({ options, ...over }))
  ;({ app } = await mountPluginForTest(plugin, ctx))
  await fixtures.load(
    ctx,
    fixtures.schema.parse({ admin: { login: 'admin', password: 'admin' }, queue: SEED_QUEUE }),
  )
}

const req = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  app.request(path, {
    method,
    headers: { Authorization: ADMIN, Host: 'mail.example', ...headers },
    ...(body === undefined ? {} : { body }),
  })
const create = (login: string, body: object | string) =>
  req('POST', `/users/${login}`, typeof body === 'string' ? body : JSON.stringify(body))
const expectError = async (res: Response, status: number, msg: string, raw = '') => {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe(TYPE)
  expect(await res.text()).toBe(JSON.stringify({ msg, raw }))
}

beforeEach(() => setup())

describe('ping and auth', () => {
  it('answers /ping with the exact bytes and no auth', async () => {
    const res = await app.request('/ping')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(TYPE)
    expect(await res.text()).toBe('{"msg": "pong"}')
  })

  it('challenges only when the Authorization header is missing', async () => {
    const res = await app.request('/users')
    await expectError(res, 401, 'Unauthorized')
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="tmail REST server"')
    expect(ctx.counters.authFailures).toBe(0)
  })

  it.each([
    ['a wrong password', encodeBasic('admin', 'nope')],
    ['a wrong login', encodeBasic('root', 'admin')],
    ['a bare "Basic"', 'Basic'],
    ['a short header', 'Bas'],
    ['another scheme', 'Bearer abc'],
    ['bad base64', 'Basic !!!!'],
    ['no colon', `Basic ${Buffer.from('adminadmin').toString('base64')}`],
    ['an empty header', ''],
  ])('refuses %s with a plain 401, never a 500', async (_, header) => {
    const res = await req('GET', '/users', undefined, { Authorization: header })
    await expectError(res, 401, 'Unauthorized')
    expect(res.headers.get('www-authenticate')).toBeNull()
  })

  it('pays one slow hash for 50 concurrent first requests with one credential', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => req('GET', '/users/none@x.io')))
    expect(all.every((r) => r.status === 404)).toBe(true)
    expect(ctx.counters.slowHashes).toBe(1)
    await req('GET', '/users')
    expect(ctx.counters.slowHashes).toBe(1)
  })

  it('checks auth before reading the body', async () => {
    const res = await app.request('/users/x@y.z', { method: 'POST', body: '{not json' })
    expect(res.status).toBe(401)
  })

  it('throttles failed logins per login and address with 403 and Retry-After', async () => {
    await setup({ login_failures: '3', login_window_s: '60' })
    for (let i = 0; i < 3; i++)
      expect(
        (await req('GET', '/users', undefined, { Authorization: encodeBasic('admin', `x${i}`) })).status,
      ).toBe(401)
    const res = await req('GET', '/users', undefined, { Authorization: encodeBasic('admin', 'admin') })
    await expectError(res, 403, 'too many authentication attempts')
    expect(res.headers.get('retry-after')).toBe('60')
    ctx.clock.advance(60_000)
    expect((await req('GET', '/users')).status).toBe(200)
  })

  it('takes the credential from the environment when set', async () => {
    await setup({ admin_login: 'ops', admin_password: 's3cret!' })
    expect((await req('GET', '/users')).status).toBe(401)
    expect(
      (await req('GET', '/users', undefined, { Authorization: encodeBasic('ops', 's3cret!') })).status,
    ).toBe(200)
  })

  it('refuses plain HTTP in its own format when HTTPS is required', async () => {
    await setup({}, { requireHttps: true })
    const env = { mailfront: { requestId: 'r', secure: false, ip: '127.0.0.1' } }
    const res = await app.request('/users', { headers: { Authorization: ADMIN } }, env)
    await expectError(res, 403, 'HTTPS is required')
  })
})

describe('users', () => {
  const TOOROP = { passwd: 'motdepasse', authRelay: true, haveMailbox: true, mailboxQuota: '1G' }

  it('creates a user: 201, Location with the login as given, empty body', async () => {
    const res = await create('Toorop@tmail.io', TOOROP)
    expect(res.status).toBe(201)
    expect(res.headers.get('location')).toBe('http://mail.example/users/Toorop@tmail.io')
    expect(await res.text()).toBe('')
    // Under a mount prefix, the Location keeps the request's whole path.
    const prefixed = (await mountPluginForTest(tmailPlugin(), ctx, { prefix: '/tmail' })).app
    const env = { mailfront: { requestId: 'r', secure: true, ip: '::1' } }
    const res2 = await prefixed.request(
      '/tmail/users/x@tmail.io',
      { method: 'POST', headers: { Authorization: ADMIN, Host: 'h:8080' }, body: JSON.stringify(TOOROP) },
      env,
    )
    expect(res2.headers.get('location')).toBe('https://h:8080/tmail/users/x@tmail.io')
  })

  it('returns the user with the keys in order and hashes as tmail and Dovecot read them', async () => {
    await create('toorop@tmail.io', TOOROP)
    const res = await req('GET', '/users/TOOROP@tmail.io')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(TYPE)
    const text = await res.text()
    const u = JSON.parse(text)
    expect(Object.keys(u)).toEqual([
      'Id',
      'Login',
      'Passwd',
      'DovePasswd',
      'Active',
      'AuthRelay',
      'HaveMailbox',
      'IsCatchall',
      'MailboxQuota',
      'Home',
    ])
    expect(u).toMatchObject({
      Id: 1,
      Login: 'toorop@tmail.io',
      Active: 'Y',
      AuthRelay: true,
      HaveMailbox: true,
      IsCatchall: false,
      MailboxQuota: '1G',
      Home: '/home/tmail/mailboxes/t/tmail.io/t/toorop',
    })
    expect(text).toBe(JSON.stringify(u))
    expect(u.Passwd).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/)
    expect(bcryptjs.compareSync('motdepasse', u.Passwd)).toBe(true)
    const m = /^\$6\$([0-9a-f]{16})\$[./0-9A-Za-z]{86}$/.exec(u.DovePasswd)
    expect(m).not.toBeNull()
    expect(await sha512Crypt('motdepasse', m![1]!)).toBe(u.DovePasswd)
    // An independent implementation: OpenSSL, as the issue asks.
    const openssl = execFileSync('openssl', ['passwd', '-6', '-salt', m![1]!, 'motdepasse'], {
      encoding: 'utf8',
    })
    expect(openssl.trim()).toBe(u.DovePasswd)
  })

  it('answers the duplicate with the exact body of the seed, whatever the backend', async () => {
    await create('toorop@tmail.io', TOOROP)
    const res = await create('toorop@tmail.io', TOOROP)
    expect(res.status).toBe(422)
    expect(await res.text()).toBe(
      '{"msg":"unable to create new user","raw":"UNIQUE constraint failed: users.login"}',
    )
  })

  it.each([
    [
      'a too long login',
      `${'a'.repeat(252)}@x.io`,
      { passwd: 'secret' },
      'login must have less than 256 chars',
    ],
    [
      'a too short login (checked before the password)',
      'abc',
      { passwd: '' },
      'login must be at least 4 char',
    ],
    ['a short password', 'abcd', { passwd: '12345' }, 'password must be at least 6 chars length'],
    [
      'a catch-all without mailbox',
      'abcd',
      { passwd: 'secret', isCatchall: true },
      'only users with mailbox can be defined as catchall',
    ],
    [
      'a mailbox login that is no address',
      'abcdef',
      { passwd: 'secret', haveMailbox: true },
      "'login' must be a valid email address",
    ],
    ['two @', 'a@b@c.io', { passwd: 'secret', haveMailbox: true }, "'login' must be a valid email address"],
    [
      'a bad quota',
      'q@x.io',
      { passwd: 'secret', haveMailbox: true, mailboxQuota: '1T' },
      'mailboxQuota must be a number of bytes, optionally followed by K, M or G, got "1T"',
    ],
  ])('refuses %s with the original message', async (_, login, body, raw) => {
    await expectError(await create(login, body), 422, 'unable to create new user', raw)
  })

  it('counts login length in bytes and lower-cases it', async () => {
    await expectError(
      await create('éa', { passwd: 'secret' }),
      422,
      'unable to create new user',
      'login must be at least 4 char',
    )
    expect((await create('éé', { passwd: 'secret' })).status).toBe(201)
    expect((await create('ABCD', { passwd: 'secret' })).status).toBe(201)
    expect(JSON.parse(await (await req('GET', '/users/abcd')).text()).Login).toBe('abcd')
  })

  it('matches request keys case-insensitively and takes both catch-all spellings', async () => {
    expect((await create('a@one.io', { PASSWD: 'secret', HaveMailbox: true, isCathall: true })).status).toBe(
      201,
    )
    expect((await create('b@two.io', { passwd: 'secret', haveMailbox: true, isCatchall: true })).status).toBe(
      201,
    )
    for (const l of ['a@one.io', 'b@two.io'])
      expect(JSON.parse(await (await req('GET', `/users/${l}`)).text()).IsCatchall).toBe(true)
  })

  it('allows one catch-all per domain', async () => {
    await create('a@one.io', { passwd: 'secret', haveMailbox: true, isCatchall: true })
    await expectError(
      await create('c@one.io', { passwd: 'secret', haveMailbox: true, isCatchall: true }),
      422,
      'unable to create new user',
      'domain one.io already have a catchall: a@one.io',
    )
    expect((await create('c@one.io', { passwd: 'secret', haveMailbox: true })).status).toBe(201)
  })

  it('uses the default quota with a mailbox and leaves quota and Home empty without one', async () => {
    await setup({ default_quota: '500M', home_base: '/srv/mail/' })
    await create('m@x.io', { passwd: 'secret', haveMailbox: true })
    await create('n@x.io', { passwd: 'secret', haveMailbox: false, mailboxQuota: 'garbage' })
    const m = JSON.parse(await (await req('GET', '/users/m@x.io')).text())
    const n = JSON.parse(await (await req('GET', '/users/n@x.io')).text())
    expect([m.MailboxQuota, m.Home]).toEqual(['500M', '/srv/mail/x/x.io/m/m'])
    expect([n.MailboxQuota, n.Home, n.HaveMailbox]).toEqual(['', '', false])
  })

  it.each([
    ['an empty body', '', 'EOF'],
    ['malformed JSON', '{"passwd":', null],
    ['an array', '[]', 'json: cannot unmarshal array into Go value of type struct'],
    [
      'a wrong type',
      '{"authRelay":"yes"}',
      'json: cannot unmarshal string into Go struct field .AuthRelay of type bool',
    ],
  ])('answers 400 to %s', async (_, body, raw) => {
    const res = await create('x@y.io', body)
    expect(res.status).toBe(400)
    const e = JSON.parse(await res.text())
    expect(e.msg).toBe('unable to get JSON body')
    if (raw) expect(e.raw).toBe(raw)
    else expect(e.raw).not.toBe('')
  })

  it('lists users as a JSON array, [] when empty', async () => {
    const empty = await req('GET', '/users')
    expect(empty.status).toBe(200)
    expect(empty.headers.get('content-type')).toBe(TYPE)
    expect(await empty.text()).toBe('[]')
    for (const l of ['aaaa', 'bbbb', 'cccc']) await create(l, { passwd: 'secret' })
    const all = JSON.parse(await (await req('GET', '/users')).text())
    expect(all.map((u: { Login: string }) => u.Login)).toEqual(['aaaa', 'bbbb', 'cccc'])
    const page = JSON.parse(await (await req('GET', '/users?limit=1&offset=1')).text())
    expect(page.map((u: { Login: string }) => u.Login)).toEqual(['bbbb'])
    await expectError(
      await req('GET', '/users?limit=-1'),
      400,
      'invalid limit',
      'limit must be a whole number',
    )
  })

  it('changes the password: 204, both hashes new', async () => {
    await create('toorop@tmail.io', TOOROP)
    const before = JSON.parse(await (await req('GET', '/users/toorop@tmail.io')).text())
    const res = await req('PUT', '/users/toorop@tmail.io', '{"Passwd":"nouveau-mdp"}')
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    const after = JSON.parse(await (await req('GET', '/users/toorop@tmail.io')).text())
    expect(after.Passwd).not.toBe(before.Passwd)
    expect(after.DovePasswd).not.toBe(before.DovePasswd)
    expect(bcryptjs.compareSync('nouveau-mdp', after.Passwd)).toBe(true)
  })

  it('refuses a password change for an unknown user, a short password and bad JSON', async () => {
    await expectError(
      await req('PUT', '/users/nobody@x.io', '{"passwd":"secret"}'),
      404,
      'no such user nobody@x.io',
    )
    await create('abcd', { passwd: 'secret' })
    await expectError(
      await req('PUT', '/users/abcd', '{"passwd":"123"}'),
      422,
      'unable to change user password',
      'password must be at least 6 chars length',
    )
    expect((await req('PUT', '/users/abcd', 'nope')).status).toBe(400)
  })

  it('deletes a user: 200 with an empty body, then 404', async () => {
    await create('test@tmail.io', TOOROP)
    const res = await req('DELETE', '/users/TEST@tmail.io')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    await expectError(await req('GET', '/users/test@tmail.io'), 404, 'no such user test@tmail.io')
    await expectError(await req('DELETE', '/users/test@tmail.io'), 404, 'no such user test@tmail.io')
  })

  it('escapes what it echoes, so error bodies are always valid JSON', async () => {
    const res = await req('GET', `/users/${encodeURIComponent('a"b<c>&\\')}`)
    const text = await res.text()
    expect(text).toBe('{"msg":"no such user a\\"b\\u003cc\\u003e\\u0026\\\\","raw":""}')
    expect(JSON.parse(text).msg).toBe('no such user a"b<c>&\\')
  })
})

describe('queue', () => {
  it('lists the queue with the keys in order', async () => {
    const res = await req('GET', '/queue')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(TYPE)
    expect(await res.text()).toBe(JSON.stringify(SEED_QUEUE))
  })

  it('gets one message', async () => {
    expect(await (await req('GET', '/queue/1')).text()).toBe(JSON.stringify(SEED_QUEUE[0]))
  })

  it.each([
    ['x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ])('answers 400 with valid JSON for the id %s', async (id, raw) => {
    for (const path of [`/queue/${id}`, `/queue/discard/${id}`, `/queue/bounce/${id}`])
      await expectError(
        await req(path.startsWith('/queue/d') || path.startsWith('/queue/b') ? 'DELETE' : 'GET', path),
        400,
        'unable to get message id',
        raw,
      )
  })

  it('answers 404 for an unknown message', async () => {
    await expectError(await req('GET', '/queue/42'), 404, 'no such message 42')
    await expectError(await req('DELETE', '/queue/discard/-7'), 404, 'no such message -7')
    await expectError(
      await req('DELETE', '/queue/bounce/9223372036854775807'),
      404,
      'no such message 9223372036854775807',
    )
  })

  it('refuses to discard or bounce a message being delivered', async () => {
    for (const action of ['discard', 'bounce'])
      await expectError(
        await req('DELETE', `/queue/${action}/2`),
        422,
        `unable to ${action} message 2`,
        "delivery in progress, message status can't be changed",
      )
  })

  it('marks for discard (1) and bounce (3), re-marking allowed, and refreshes LastUpdate', async () => {
    const d = await req('DELETE', '/queue/discard/1')
    expect(d.status).toBe(200)
    expect(await d.text()).toBe('')
    let m = JSON.parse(await (await req('GET', '/queue/1')).text())
    expect(m.Status).toBe(1)
    expect(m.LastUpdate).not.toBe(SEED_QUEUE[0]!.LastUpdate)
    expect((await req('DELETE', '/queue/bounce/1')).status).toBe(200)
    m = JSON.parse(await (await req('GET', '/queue/1')).text())
    expect(m.Status).toBe(3)
  })
})

describe('routing', () => {
  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await req('DELETE', '/users')
    await expectError(res, 405, 'Method Not Allowed')
    expect(res.headers.get('allow')).toBe('GET, OPTIONS')
    const opt = await req('OPTIONS', '/users/x')
    expect(opt.status).toBe(200)
    expect(opt.headers.get('allow')).toBe('DELETE, GET, POST, PUT, OPTIONS')
  })

  it('answers an unknown path with a JSON 404', async () => {
    await expectError(await req('GET', '/users/a/b'), 404, '404 page not found')
  })

  it('answers 413 in its own format for a body over the limit', async () => {
    await setup({}, { bodyLimit: 64 })
    const res = await create('big@x.io', { passwd: 'x'.repeat(200) })
    await expectError(res, 413, 'Request body too large')
  })
})

describe('queue processor', () => {
  it('deletes discarded messages and turns bounced ones into a bounce to the sender', async () => {
    await req('DELETE', '/queue/discard/1')
    await fixtures.load(ctx, fixtures.schema.parse({ queue: [{ ...SEED_QUEUE[1], Status: 3 }] }))
    expect(await processQueue(ctx)).toEqual({ discarded: 1, bounced: 1, doubleBounces: 0 })
    const q = JSON.parse(await (await req('GET', '/queue')).text())
    expect(q).toHaveLength(1)
    expect(q[0]).toMatchObject({
      Id: 3,
      MailFrom: '',
      AuthUser: '',
      RcptTo: 'toorop@tmail.io',
      Host: 'tmail.io',
      Status: 2,
    })
    expect(q[0].Uuid).toMatch(/^[0-9a-f]{40}$/)
    expect(await processQueue(ctx)).toEqual({ discarded: 0, bounced: 0, doubleBounces: 0 })
  })

  it('never bounces a bounce: it is only discarded', async () => {
    await fixtures.load(
      ctx,
      fixtures.schema.parse({ queue: [{ ...SEED_QUEUE[0], MailFrom: '', Status: 3 }] }),
    )
    expect(await processQueue(ctx)).toEqual({ discarded: 0, bounced: 0, doubleBounces: 1 })
    expect(JSON.parse(await (await req('GET', '/queue')).text()).map((m: { Id: number }) => m.Id)).toEqual([
      2,
    ])
  })

  it('acts on each row once when two instances run it together', async () => {
    await req('DELETE', '/queue/bounce/1')
    const [a, b] = await Promise.all([processQueue(ctx), processQueue(ctx)])
    expect(a.bounced + b.bounced).toBe(1)
  })
})

describe('fixtures', () => {
  it('round-trips through export and load, and is idempotent', async () => {
    await create('toorop@tmail.io', { passwd: 'motdepasse', haveMailbox: true, mailboxQuota: '1G' })
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
  })

  it('names the path of a bad record', () => {
    const r = fixtures.schema.safeParse({ users: [{ Login: 'abcd', Passwd: '$2a$10$' + 'a'.repeat(53) }] })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]!.path).toEqual(['users', 0, 'DovePasswd'])
  })
})
