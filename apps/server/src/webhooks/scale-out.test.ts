import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createManualClock, type StorageAdapter, silentLogger } from '@mailfront/core'
import { createRelay, startWorker } from '@mailfront/mail'
import { postgresAdapter } from '@mailfront/storage-sql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgTestSchema } from '../../test/pg-schema.ts'
import { startSink } from '../../test/smtp-sink.ts'
import { event, type Receiver, startReceiver } from '../../test/webhook-receiver.ts'
import { loadConfig } from '../config.ts'
import { createRuntime, type Runtime } from '../runtime.ts'
import { DeliveryLog } from './delivery-log.ts'
import { WebhookDispatcher } from './dispatcher.ts'
import { WebhookSettings, webhookModels } from './settings.ts'

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
    const stores: StorageAdapter[] = []
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
      for (const s of stores) await s.close()
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

    it('an instance that dies mid-queue: its claimed rows are taken by another once the lease ends, each event sent once more', async () => {
      // Two instances' queues (each its own pool) on the store the runtimes use, on one clock far
      // ahead of theirs, so the runtimes' own looks never find these rows due.
      const clock = createManualClock(Date.now() + 10 * 365 * 86_400_000)
      const instance = async (timeoutMs: number) => {
        const storage = postgresAdapter({ url: db.url })
        stores.push(storage)
        await storage.migrate(webhookModels) // as the runtimes did: this adapter learns the models
        const deliveries = new DeliveryLog(100)
        const settings = new WebhookSettings(storage)
        const d = new WebhookDispatcher({
          settings,
          storage,
          clock,
          log: silentLogger,
          deliveries,
          timeoutMs,
          leaseMs: 30_000,
        })
        return { d, deliveries }
      }
      const ids = (rs: typeof receiver.received) => rs.map((r) => event(r).id)
      const before = receiver.received.length
      receiver.hang()
      const dead = await instance(600_000)
      for (let n = 0; n < 3; n++) dead.d.emit('message.deferred', clock.now(), { n })
      // The first is in flight (claimed), the other two queued and held by `dead`: then it dies.
      await receiver.until((r) => r.length === before + 1, 'the first attempt')
      receiver.hang(false)
      const other = await instance(10_000)
      await other.d.runDue()
      expect(receiver.received).toHaveLength(before + 1) // all held under the dead one's lease
      clock.advance(30_001)
      await other.d.runDue()
      const got = receiver.received.slice(before)
      expect(got).toHaveLength(4)
      // The one in flight again (same bytes), the two never tried once each.
      expect(got[1]!.body).toBe(got[0]!.body)
      expect(new Set(ids(got.slice(1))).size).toBe(3)
      expect(other.deliveries.list().map((a) => [a.eventId, a.attempt, a.outcome])).toEqual(
        ids(got.slice(1))
          .map((id, i) => [id, i === 0 ? 2 : 1, 'delivered'])
          .reverse(),
      )
      expect(await other.d.pending()).toBe(0)
      await other.d.close()
    })
  },
)
