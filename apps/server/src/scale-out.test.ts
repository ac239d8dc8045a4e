import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgTestSchema } from '../test/pg-schema.ts'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// Two instances on one PostgreSQL behave as one server: what lives in the store is shared, and what
// must happen once happens once. Scale-out is a PostgreSQL feature: SQLite is one instance's store
// (two connections in one process would block each other), and PGlite holds a single connection.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl)
  console.log('[scale-out] skipped: MAILFRONT_TEST_PG_URL is not set (scale-out needs a real PostgreSQL)')

describe.skipIf(!pgUrl)('two instances on one PostgreSQL (skipped without MAILFRONT_TEST_PG_URL)', () => {
  let a: Runtime
  let b: Runtime
  let db: Awaited<ReturnType<typeof pgTestSchema>>
  beforeAll(async () => {
    db = await pgTestSchema(pgUrl!, 'mf_scale')
    const url = db.url
    const env = {
      MAILFRONT_DATABASE_URL: url,
      MAILFRONT_SECRET: 's'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-scale-data-')),
    }
    a = await createRuntime(loadConfig(env), silentLogger)
    await loadStartupFixtures(a)
    b = await createRuntime(loadConfig({ ...env, MAILFRONT_DEMO: 'off' }), silentLogger)
  }, 60_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await db?.drop()
  })

  it('holds the AuthSMTP rate limit across instances', async () => {
    const auth = { headers: { Authorization: encodeBasic('aa12345', 'demo-api-password') } }
    expect(await (await a.app.request('/restful/basic_user/aa12345', auth)).text()).toContain('<basic_user>')
    const second = await (await b.app.request('/restful/basic_user/aa12345', auth)).text()
    expect(second).toContain('<code>1</code>')
  })

  it('holds the SMTPD form-post limit across instances (the core rate-limit store)', async () => {
    const grant = await a.app.request('/oauth/token?grant_type=password', {
      method: 'POST',
      headers: { Authorization: encodeBasic('jack.truong@example.com', 'demo-password') },
    })
    const { access_token } = (await grant.json()) as { access_token: string }
    const created = await a.app.request('/api/v1/email/form', {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        form_name: 'Scale',
        link_domain: 'click.example.com',
        notification_email_address: 'sales@example.com',
        required_fields: [],
        default_redirect: 'https://example.com/',
        success_redirect: 'https://example.com/ok',
        failure_redirect: 'https://example.com/no',
        tags: [],
        enable_email_notification: false,
      }),
    })
    const { form_key } = (await created.json()) as { form_key: string }
    const statuses: number[] = []
    // Alternating instances, one client: 20 posts per address in the window, counted once for both.
    for (let i = 0; i < 30; i++) {
      const res = await (i % 2 ? b : a).app.request(`/f/${form_key}`, { method: 'POST', body: 'x=1' })
      statuses.push(res.status)
    }
    expect(statuses.filter((s) => s === 303)).toHaveLength(20)
    expect(statuses.slice(20)).toEqual(Array(10).fill(429))
  })

  it('serves a mailbox.org session made on the other instance, and ends it everywhere', async () => {
    const login = await a.app.request('/v1/', {
      method: 'POST',
      body: '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":1}',
    })
    const session = (await login.json()).result.session
    const call = async (rt: Runtime, method: string) =>
      (
        await rt.app.request('/v1/', {
          method: 'POST',
          headers: { 'HPLS-AUTH': session },
          body: `{"jsonrpc":"2.0","method":"${method}","id":2}`,
        })
      ).json()
    expect((await call(b, 'hello.innerworld')).result).toBe('Hello Inner-World!')
    expect((await call(b, 'deauth')).result).toBe(true)
    expect((await call(a, 'hello.innerworld')).error.code).toBe(253)
  })

  it('lets a grant on one instance expire the refresh token issued on the other', async () => {
    const grant = async (rt: Runtime) =>
      (
        await rt.app.request('/oauth/token?grant_type=password', {
          method: 'POST',
          headers: { Authorization: encodeBasic('demo-key', 'demo-secret') },
        })
      ).json()
    const refresh = (rt: Runtime, token: string) =>
      rt.app.request('/oauth/token?grant_type=refresh_token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      })
    const first = await grant(a)
    expect((await refresh(b, first.refresh_token)).status).toBe(200)
    const second = await grant(b)
    expect((await refresh(a, first.refresh_token)).status).toBe(403)
    // Concurrent grants on both instances: exactly one refresh token survives.
    const [x, y] = await Promise.all([grant(a), grant(b)])
    const alive = await Promise.all([
      refresh(a, x.refresh_token),
      refresh(b, y.refresh_token),
      refresh(a, second.refresh_token),
    ])
    expect(alive.map((r) => r.status).filter((s) => s === 200)).toHaveLength(1)
  })

  it('applies a tmail bounce once when both instances run the queue processor', async () => {
    const admin = { Authorization: encodeBasic('admin', 'admin') }
    expect((await a.app.request('/queue/bounce/1', { method: 'DELETE', headers: admin })).status).toBe(200)
    const { processQueue } = await import('@mailfront/plugin-tmail')
    const [ra, rb] = await Promise.all([
      processQueue(a.contexts.get('tmail')!),
      processQueue(b.contexts.get('tmail')!),
    ])
    expect(ra.bounced + rb.bounced).toBe(1)
    const queue = (await (await b.app.request('/queue', { headers: admin })).json()) as { MailFrom: string }[]
    expect(queue.filter((m) => m.MailFrom === '')).toHaveLength(1)
  })
})
