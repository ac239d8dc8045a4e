import { mountPluginForTest } from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { call, ctx, login, setup } from '../test/plugin-harness.ts'
import { mailboxorgPlugin } from './index.ts'
import { TOP_UP_SLACK_MS } from './sessions.ts'

// Sessions: their sliding lifetime, their store writes, their hashes; and the login throttle.

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

  it("refuses a throttled login in the caller's language", async () => {
    await setup({ auth_attempts: '3' })
    const de = { 'Accept-Language': 'de' }
    for (let i = 0; i < 3; i++)
      expect((await call('auth', { user: 'test_account', pass: 'bad' }, undefined, de)).error).toEqual({
        code: 2,
        message: 'Zugriff verweigert',
      })
    expect((await call('auth', { user: 'test_account', pass: '123456' }, undefined, de)).error).toEqual({
      code: 2,
      message: 'Zugriff verweigert: zu viele fehlgeschlagene Anmeldungen, bitte 900 Sekunden warten',
    })
  })
})
