import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgTestSchema } from '../test/pg-schema.ts'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// SMTPD sends on two instances sharing one PostgreSQL: one takes the send, the other's worker
// delivers it (capture), and the send still ends `delivered`. Needs a real PostgreSQL.
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl) console.log('[smtpd-send-pg] skipped: MAILFRONT_TEST_PG_URL is not set')

describe.skipIf(!pgUrl)(
  'SMTPD sending across two instances on PostgreSQL (skipped without MAILFRONT_TEST_PG_URL)',
  () => {
    let a: Runtime
    let b: Runtime
    let db: Awaited<ReturnType<typeof pgTestSchema>>
    beforeAll(async () => {
      db = await pgTestSchema(pgUrl!, 'mf_smtpd_send')
      const env = {
        MAILFRONT_DATABASE_URL: db.url,
        MAILFRONT_SECRET: 's'.repeat(40),
        MAILFRONT_DEMO: 'on',
        MAILFRONT_MAIL_RETRY_S: '0.1',
        MAILFRONT_DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-smtpd-pg-')),
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

    it('a send taken on one instance and delivered by the other ends delivered, with every event', async () => {
      const call = async (rt: Runtime, method: string, path: string, auth: string, body?: unknown) => {
        const r = await rt.app.request(path, {
          method,
          headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
        return { status: r.status, body: await r.json() }
      }
      const token = (
        await call(
          a,
          'POST',
          '/oauth/token?grant_type=password',
          encodeBasic('jack.truong@example.com', 'demo-password'),
        )
      ).body.access_token
      const auth = `Bearer ${token}`
      const p = await call(a, 'POST', '/api/v1/profile/email', auth, {
        profile_name: 'pg',
        sending_domain: 'pg.example.com',
        link_domain: 'l.pg.example.com',
        link_domain_default_redirect: 'https://pg.example.com/',
        bounce_domain: 'b.pg.example.com',
      })
      expect(p.status).toBe(202)
      await call(a, 'PUT', `/api/v1/profile/email/${p.body.profile_id}/verify`, auth)
      const poll = async (rt: Runtime, path: string, want: string) => {
        for (let i = 0; i < 100; i++) {
          const r = await call(rt, 'GET', path, auth)
          if (r.body.state === want) return r
          await new Promise((res) => setTimeout(res, 50))
        }
        return call(rt, 'GET', path, auth)
      }
      // The other instance reads the same profile.
      expect((await poll(b, `/api/v1/profile/email/${p.body.profile_id}`, 'active')).body.state).toBe(
        'active',
      )
      const sent = await call(a, 'POST', '/api/v1/email/send', encodeBasic('demo-secret', ''), {
        recipient_email_address: 'jane@example.org',
        from_email_address: 'hi@pg.example.com',
        subject: 'Across instances',
        content_text: 'Hello',
        tags: null,
      })
      expect(sent.status).toBe(202)
      // Only the second instance runs a delivery worker.
      b.startBackground()
      const done = await poll(a, `/api/v1/email/send/${sent.body.send_id}`, 'delivered')
      expect(done.body.state).toBe('delivered')
      const events = await call(a, 'GET', `/api/v1/email/send/${sent.body.send_id}/events`, auth)
      expect(events.body.map((e: { type: string }) => e.type)).toEqual([
        'accepted',
        'processed',
        'sent',
        'delivered',
      ])
      const usage = await call(b, 'GET', '/api/v1/account/billing/usage', auth)
      expect(usage.body).toMatchObject({ total: 1, total_by_category: { delivered: 1 } })
    }, 60_000)
  },
)
