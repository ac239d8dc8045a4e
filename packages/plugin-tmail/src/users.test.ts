import { execFileSync } from 'node:child_process'
import { sha512Crypt } from '@mailfront/core'
import { mountPluginForTest } from '@mailfront/core/testing'
import bcryptjs from 'bcryptjs'
import { beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, create, ctx, expectError, req, setup, TYPE } from '../test/plugin-harness.ts'
import { tmailPlugin } from './index.ts'

// The users API: create, read, list, password change, delete, and its exact error bodies.

beforeEach(() => setup())

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
