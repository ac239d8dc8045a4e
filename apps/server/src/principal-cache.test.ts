import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createManualClock, encodeBasic, hashPassword, silentLogger } from '@mailfront/core'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// The per-instance principal cache (models with cacheMs, withRowCache): the caller's row is reused
// for up to 1 s; a change made through this server is seen by the very next request, a change made
// by another process (another instance, the CLI) within that second.
describe('principal rows reused for at most 1 s per instance', () => {
  const clock = createManualClock(Date.parse('2026-06-10T12:00:00Z'))
  const dir = mkdtempSync(join(tmpdir(), 'mf-principal-'))
  let rt: Runtime
  beforeAll(async () => {
    rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATA_DIR: dir,
        MAILFRONT_DEMO: 'on',
        MAILFRONT_SECRET: 's'.repeat(40),
        // One request per 20 s per user is AuthSMTP's own limit: off, to call it several times.
        MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      }),
      silentLogger,
      { clock },
    )
    await loadStartupFixtures(rt)
  }, 60_000)
  afterAll(async () => {
    await rt?.close()
  })

  const rpc = async (method: string, params: unknown, session?: string) =>
    (
      await rt.app.request('/v1/', {
        method: 'POST',
        headers: session ? { 'HPLS-AUTH': session } : {},
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      })
    ).json()

  it('a mailbox.org deauth ends the session for the next call on this instance, with no wait', async () => {
    const session = (await rpc('auth', { user: 'test_account', pass: '123456' })).result.session
    for (let i = 0; i < 3; i++)
      expect((await rpc('hello.innerworld', '', session)).result).toBe('Hello Inner-World!')
    expect((await rpc('deauth', '', session)).result).toBe(true)
    expect((await rpc('hello.innerworld', '', session)).error.code).toBe(253)
  })

  it('an AuthSMTP password changed by another process is in force here within 1 s', async () => {
    const get = (pw: string) =>
      rt.app.request('/restful/basic_user/aa12345', {
        headers: { Authorization: encodeBasic('aa12345', pw) },
      })
    expect(await (await get('demo-api-password')).text()).toContain('<basic_user>')
    // The CLI (`authsmtp password set`) in its own process: its own connection to the same file.
    const cli = new Database(join(dir, 'mailfront.db'))
    cli
      .prepare('UPDATE authsmtp_account SET api_password_hash = ? WHERE user_id = ?')
      .run(await hashPassword('new-password'), 'aa12345')
    cli.close()
    // Within the second this instance answers from the row it read (the documented bound)...
    expect((await get('demo-api-password')).status).toBe(200)
    // ...and after it, from the row as it is now.
    clock.advance(1000)
    expect((await get('demo-api-password')).status).toBe(401)
    expect(await (await get('new-password')).text()).toContain('<basic_user>')
  })

  it('a change through this instance is seen at once (the same store handle)', async () => {
    const get = () =>
      rt.app.request('/restful/basic_user/aa12345', {
        headers: { Authorization: encodeBasic('aa12345', 'new-password') },
      })
    expect((await get()).status).toBe(200)
    await rt.storage.updateOne({
      model: 'authsmtp_account',
      where: { field: 'user_id', value: 'aa12345' },
      set: { api_enabled: false },
    })
    expect((await get()).status).toBe(401)
  })
})
