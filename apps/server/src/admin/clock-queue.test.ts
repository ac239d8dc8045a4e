import { createServer } from 'node:net'
import { createRelay, startWorker } from '@mailfront/mail'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mailboxRpc, post, runtime } from '../../test/demo-runtime.ts'
import type { Runtime } from '../runtime.ts'

// The queue's retry schedule, its give-up time, the DSN's date and mailbox.org's nightly backups, all
// reached by moving the clock through the admin API (a relay that refuses every connection).

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const move = async (rt: Runtime, body: unknown) =>
  expect((await post(rt, '/_mailfront/clock', body)).status).toBe(200)

describe('the clock drives the queue and the nightly backups', () => {
  let rt: Runtime
  let relayUrl: string
  beforeAll(async () => {
    relayUrl = `smtp://127.0.0.1:${await freePort()}`
    rt = await runtime({
      MAILFRONT_CLOCK: 'movable',
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: relayUrl,
    })
  })
  afterAll(() => rt.close())

  it('retries when due, gives up after the last attempt, and dates the DSN by the clock', async () => {
    // The worker as startDelivery builds it, polled by hand: a day between attempts, three attempts.
    const w = startWorker(rt.mail, {
      mode: 'relay',
      relay: createRelay(relayUrl),
      retryDelayMs: 86_400_000,
      pollMs: 3_600_000,
      maxAttempts: 3,
    })
    try {
      const m = await rt.mail.submit({
        envelope: { from: 'sender@example.com', to: ['far@example.org'] },
        raw: Buffer.from('From: sender@example.com\r\nTo: far@example.org\r\nSubject: hi\r\n\r\nhello\r\n'),
        plugin: 'authsmtp',
        via: 'api',
      })
      const state = async () => (await rt.mail.get(m.id))!.recipients[0]!
      expect(await w.runOnce()).toBe(1)
      expect(await state()).toMatchObject({ state: 'deferred', attempts: 1 })
      expect(await w.runOnce()).toBe(0) // not due for a day
      await move(rt, { advance: '1d' })
      expect(await w.runOnce()).toBe(1)
      expect(await state()).toMatchObject({ state: 'deferred', attempts: 2 })
      await move(rt, { set: '2030-03-04T05:06:07Z' })
      await w.runOnce()
      expect(await state()).toMatchObject({ state: 'bounced', attempts: 3 })
      expect((await state()).lastResponse).toMatch(/^gave up after 3 attempts; last: /)
      const [dsn] = (await rt.mail.list({ limit: 50 })).filter((x) => x.via === 'dsn')
      expect(dsn!.envelope.to).toEqual(['sender@example.com'])
      const raw = Buffer.from((await rt.mail.raw(dsn!.id))!).toString('utf8')
      expect(raw).toMatch(/^Date: Mon, 04 Mar 2030 05:06:\d\d \+0000$/m)
      expect(raw).toMatch(/^Last-Attempt-Date: Mon, 04 Mar 2030 05:06:\d\d \+0000$/m)
    } finally {
      await w.stop()
      await move(rt, { reset: true })
    }
  })

  it('mailbox.org: a vacation notice only once the clock is inside the vacation', async () => {
    const rpc = mailboxRpc<{ result?: { session?: string }; error?: unknown }>(() => rt)
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).result!.session!
    const set = await rpc(
      'mail.vacation.set',
      {
        mail: 'user1@domain1.test',
        subject: 'Away',
        body: 'Back soon.',
        start_date: '2030-01-01',
        end_date: '2030-01-10',
      },
      s,
    )
    expect(set.error).toBeUndefined()
    const w = startWorker(rt.mail, { mode: 'capture', pollMs: 3_600_000 })
    const send = async (from: string) => {
      await rt.mail.submit({
        envelope: { from, to: ['user1@domain1.test'] },
        raw: Buffer.from(`From: ${from}\r\nTo: user1@domain1.test\r\nSubject: Hi\r\n\r\nHello\r\n`),
        plugin: 'smtpd',
        via: 'api',
      })
      await w.runOnce()
      await w.runOnce() // the notice, submitted during the first round
    }
    const notices = async (to: string) =>
      (await rt.mail.list({ limit: 50, to })).filter((m) => m.envelope.from === '' && m.via === 'local')
    try {
      await send('early@example.org')
      expect(await notices('early@example.org')).toHaveLength(0)
      await move(rt, { set: '2030-01-05T12:00:00Z' })
      await send('during@example.org')
      expect(await notices('during@example.org')).toHaveLength(1)
    } finally {
      await w.stop()
      await move(rt, { reset: true })
    }
  })

  it('SMTPD: an API key unused for 90 days stops working', async () => {
    const key = `Basic ${Buffer.from('demo-key:demo-secret').toString('base64')}`
    // Its grant: the key (as HTTP Basic) for a token; refused like bad credentials once it idled out.
    const grantWithKey = async () =>
      (
        await rt.app.request('/oauth/token?grant_type=password', {
          method: 'POST',
          headers: { Authorization: key },
        })
      ).status
    try {
      expect(await grantWithKey()).toBe(200)
      await move(rt, { advance: '89d' })
      expect(await grantWithKey()).toBe(200) // used: idle from here
      await move(rt, { advance: '91d' })
      expect(await grantWithKey()).toBe(403)
    } finally {
      await move(rt, { reset: true })
    }
  })

  it('mailbox.org: a new mailbox gets one nightly backup per night that passes, fourteen at most', async () => {
    const rpc = mailboxRpc<{ result?: unknown[] & { session?: string } }>(() => rt)
    const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).result!.session!
    const backups = async () =>
      (await rpc('mail.backup.list', { mail: 'user2@domain1.test' }, s)).result!.length
    expect(await backups()).toBe(0)
    await move(rt, { advance: '3d' })
    // The session ended while the clock moved: log in again.
    const s2 = (await rpc('auth', { user: 'test_account', pass: '123456' })).result!.session!
    expect((await rpc('mail.backup.list', { mail: 'user2@domain1.test' }, s2)).result).toHaveLength(3)
    await move(rt, { advance: '20d' })
    const s3 = (await rpc('auth', { user: 'test_account', pass: '123456' })).result!.session!
    expect((await rpc('mail.backup.list', { mail: 'user2@domain1.test' }, s3)).result).toHaveLength(14)
    await move(rt, { reset: true })
  })
})
