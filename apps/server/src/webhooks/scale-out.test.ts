import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@mailfront/core'
import { createRelay, startWorker } from '@mailfront/mail'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgTestSchema } from '../../test/pg-schema.ts'
import { startSink } from '../../test/smtp-sink.ts'
import { event, type Receiver, startReceiver } from '../../test/webhook-receiver.ts'
import { loadConfig } from '../config.ts'
import { createRuntime, type Runtime } from '../runtime.ts'

// Two instances on one PostgreSQL: a webhook set through one is the other's too (it is in the store),
// and each event is sent once, by the instance that made the change. Scale-out is a PostgreSQL
// feature (see scale-out.test.ts beside the runtime).
const pgUrl = process.env.MAILFRONT_TEST_PG_URL
if (!pgUrl)
  console.log(
    '[webhooks scale-out] skipped: MAILFRONT_TEST_PG_URL is not set (scale-out needs a real PostgreSQL)',
  )

describe.skipIf(!pgUrl)(
  'webhooks with two instances on one PostgreSQL (skipped without MAILFRONT_TEST_PG_URL)',
  () => {
    let a: Runtime
    let b: Runtime
    let receiver: Receiver
    let sink: Awaited<ReturnType<typeof startSink>>
    let db: Awaited<ReturnType<typeof pgTestSchema>>
    beforeAll(async () => {
      db = await pgTestSchema(pgUrl!, 'mf_hooks')
      receiver = await startReceiver()
      sink = await startSink(() => undefined)
      const env = {
        MAILFRONT_DATABASE_URL: db.url,
        MAILFRONT_SECRET: 's'.repeat(40),
        MAILFRONT_DEMO: 'off',
        MAILFRONT_DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-hooks-data-')),
      }
      a = await createRuntime(loadConfig(env), silentLogger, { inProcessIsLocal: true })
      b = await createRuntime(loadConfig(env), silentLogger, { inProcessIsLocal: true })
    }, 60_000)
    afterAll(async () => {
      await a?.close()
      await b?.close()
      await receiver?.close()
      await sink?.close()
      await db?.drop()
    })

    it('sends each event once, from the instance that made the change, to the webhook set on either', async () => {
      const put = await a.app.request('/_mailfront/webhook', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: receiver.url, secret: 'scale-out-webhook-secret' }),
      })
      expect(put.status).toBe(200)
      // b sees it at once: a row not found is never remembered by the row cache.
      expect(await (await b.app.request('/_mailfront/webhook')).json()).toMatchObject({
        url: receiver.url,
        source: 'admin',
      })
      // Submitted through b; delivered by a's worker (relaying to the sink).
      const m = await b.mail.submit({
        envelope: { from: 'app@example.com', to: ['dev@example.org'] },
        raw: Buffer.from('From: app@example.com\r\nSubject: Once\r\n\r\nHello\r\n'),
        plugin: 'smtpd',
        via: 'api',
      })
      const worker = startWorker(a.mail, {
        mode: 'relay',
        relay: createRelay(`smtp://127.0.0.1:${sink.port}`),
        retryDelayMs: 60_000,
        pollMs: 3_600_000,
        maxAttempts: 3,
      })
      try {
        expect(await worker.runOnce()).toBe(1)
      } finally {
        await worker.stop()
      }
      await Promise.all([a.webhooks.dispatcher.settle(), b.webhooks.dispatcher.settle()])
      const got = receiver.received.map(event).filter((e) => e.data.message?.id === m.id)
      expect(got.map((e) => e.type).sort()).toEqual(['message.delivered', 'message.received'])
      // Who sent which: the received from b's log, the delivered from a's.
      const sentBy = (rt: Runtime) => rt.webhooks.deliveries.list().map((d) => d.type)
      expect(sentBy(b)).toEqual(['message.received'])
      expect(sentBy(a)).toEqual(['message.delivered'])
    })
  },
)
