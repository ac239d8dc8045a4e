import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtime, tmailAdmin } from '../test/demo-runtime.ts'
import type { Runtime } from './runtime.ts'

// Issue 24, item 5: one SMTP login namespace over every plugin. The tmail admin could create tmail
// users named like an AuthSMTP account or a mailbox.org mailbox, and both passwords then logged in.

let rt: Runtime
beforeAll(async () => {
  rt = await runtime()
})
afterAll(() => rt.close())

const json = { 'Content-Type': 'application/json' }
const tmailUser = (login: string) =>
  rt.app.request(`/users/${encodeURIComponent(login)}`, {
    method: 'POST',
    headers: { ...tmailAdmin, ...json },
    body: JSON.stringify({ passwd: 'tmail-password', authRelay: true, haveMailbox: false, mailboxQuota: '' }),
  })
async function rpc(method: string, params: unknown, session?: string) {
  const res = await rt.app.request('/v1/', {
    method: 'POST',
    headers: { ...json, ...(session ? { 'HPLS-AUTH': session } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return JSON.parse(await res.text())
}
const fixtures = (doc: unknown) =>
  rt.app.request('/_mailfront/fixtures', { method: 'POST', headers: json, body: JSON.stringify(doc) })

describe('one SMTP login namespace', () => {
  it("tmail refuses a user named like another provider's SMTP login, with its own duplicate error", async () => {
    for (const login of ['aa12345', 'AA12345', 'user2@domain1.test']) {
      const res = await tmailUser(login)
      expect([res.status, await res.json()], login).toEqual([
        422,
        { msg: 'unable to create new user', raw: 'UNIQUE constraint failed: users.login' },
      ])
    }
    expect((await tmailUser('fresh@tmail.io')).status).toBe(201)
  })

  it('mailbox.org refuses a mailbox whose address is a tmail login: 1006 Mail address already exists', async () => {
    expect((await tmailUser('taken@domain1.test')).status).toBe(201)
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).result.session
    const add = (mail: string) =>
      rpc(
        'mail.add',
        {
          mail,
          password: 'fresh-pass',
          plan: 'light',
          first_name: 'A',
          last_name: 'B',
          inboxsave: true,
          forwards: [],
        },
        s,
      )
    expect((await add('taken@domain1.test')).error).toMatchObject({
      code: 1006,
      message: 'Mail address already exists',
    })
    expect((await add('free@domain1.test')).result).toMatchObject({ mail: 'free@domain1.test' })
  })

  it('the AuthSMTP CLI refuses an account named like a tmail user', async () => {
    expect((await tmailUser('bb12345')).status).toBe(201)
    const create = rt.plugins
      .find((p) => p.id === 'authsmtp')!
      .cli!.commands.find((c) => c.path.join(' ') === 'authsmtp account create')!
    const ctx = rt.contexts.get('authsmtp')!
    await expect(create.run(ctx, ['BB12345'], {})).rejects.toThrow(
      'account "bb12345" already exists as another provider\'s SMTP login',
    )
    await expect(create.run(ctx, ['cc12345'], {})).resolves.toMatchObject({ user_id: 'cc12345' })
  })

  it('fixtures are refused before anything loads: a login of the store, or one the file gives twice', async () => {
    const user = (Login: string) => ({
      Login,
      Passwd: 'pw-123456',
      AuthRelay: true,
      HaveMailbox: false,
      IsCatchall: false,
      Active: 'Y',
    })
    const one = await fixtures({ tmail: { users: [user('ok-one@tmail.io'), user('aa12345')] } })
    expect([one.status, await one.json()]).toEqual([
      400,
      { error: 'body: tmail: SMTP login "aa12345" already exists (authsmtp)' },
    ])
    const two = await fixtures({
      authsmtp: { accounts: [{ user_id: 'dd12345', messages_limit: 10, data_limit: 1000 }] },
      tmail: { users: [user('DD12345')] },
    })
    expect([two.status, await two.json()]).toEqual([
      400,
      { error: 'body: tmail: SMTP login "dd12345" already exists (authsmtp, in this file)' },
    ])
    // Nothing of either document was loaded.
    for (const login of ['ok-one@tmail.io', 'dd12345']) expect(await rt.smtpLogins.holders(login)).toEqual([])
  })

  it('a login resolves to exactly one principal; one two plugins hold (an older store) logs in as neither', async () => {
    const ok = await rt.smtpLogins.authenticate('aa12345', 'demo-smtp-password', '127.0.0.1')
    expect([ok?.source.plugin, ok?.principal]).toEqual(['authsmtp', 'aa12345'])
    // A store from before: a tmail user "aa12345" written behind the API's back.
    const ctx = rt.contexts.get('tmail')!
    const create = rt.plugins.find((p) => p.id === 'tmail')!.data!.fixtures!
    await create.load(
      ctx,
      create.schema.parse({
        users: [
          {
            Login: 'aa12345',
            Passwd: 'tmail-password',
            AuthRelay: true,
            HaveMailbox: false,
            IsCatchall: false,
            Active: 'Y',
          },
        ],
      }),
    )
    expect((await rt.smtpLogins.holders('aa12345')).map((s) => s.plugin)).toEqual(['authsmtp', 'tmail'])
    expect(await rt.smtpLogins.authenticate('aa12345', 'demo-smtp-password', '127.0.0.1')).toBeNull()
    expect(await rt.smtpLogins.authenticate('aa12345', 'tmail-password', '127.0.0.1')).toBeNull()
    // tmail's own users still log in as themselves.
    const t = await rt.smtpLogins.authenticate('toorop@tmail.io', 'motdepasse', '127.0.0.1')
    expect([t?.source.plugin, t?.principal]).toEqual(['tmail', 'toorop@tmail.io'])
  })
})
