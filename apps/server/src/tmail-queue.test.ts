import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { startWorker } from '@mailfront/mail'
import { processQueue } from '@mailfront/plugin-tmail'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// tmail's queue is the pipeline's queue seen through tmail: a relay user's message, submitted the
// way the SMTP port does it, listed with its live state, discarded and bounced on the real entries.
let rt: Runtime
const auth = { headers: { Authorization: encodeBasic('admin', 'admin') } }
const RAW = Buffer.from('From: toorop@tmail.io\r\nSubject: hi\r\nMessage-ID: <m1@tmail.io>\r\n\r\nHello\r\n')

async function relayUserSends(to: string[]) {
  const plugin = rt.plugins.find((p) => p.id === 'tmail')!
  const smtp = plugin.mail!.smtpAuth!(rt.contexts.get('tmail')!)
  expect(await smtp.authenticate('toorop@tmail.io', 'motdepasse', '127.0.0.1')).toEqual({
    principal: 'toorop@tmail.io',
  })
  const m = await rt.mail.submit({
    envelope: { from: 'toorop@tmail.io', to },
    raw: RAW,
    plugin: 'tmail',
    principal: 'toorop@tmail.io',
    via: 'smtp',
  })
  await smtp.accepted!('toorop@tmail.io', m)
  return m
}

const queue = async () => JSON.parse(await (await rt.app.request('/queue', auth)).text())
const get = async (id: number) => rt.app.request(`/queue/${id}`, auth)

// Both list paths: the memory store's (findMany) and SQLite's raw scan (one prepared statement).
describe.each(['memory', 'sqlite'] as const)('tmail queue over the mail pipeline (%s store)', (store) => {
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-tmailq-'))
    rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: store === 'memory' ? 'memory:' : `sqlite:${join(dir, 'mailfront.db')}`,
        MAILFRONT_DEMO: 'on',
        MAILFRONT_SECRET: 's'.repeat(40),
        MAILFRONT_DATA_DIR: dir,
      }),
      silentLogger,
    )
    await loadStartupFixtures(rt)
  })
  afterEach(() => rt.close())

  it('only relay users log in, with their tmail password', async () => {
    const smtp = rt.plugins.find((p) => p.id === 'tmail')!.mail!.smtpAuth!(rt.contexts.get('tmail')!)
    expect(await smtp.authenticate('toorop@tmail.io', 'wrong', '127.0.0.1')).toBeNull()
    // texset@tmail.io has no AuthRelay.
    expect(await smtp.authenticate('texset@tmail.io', 'texset', '127.0.0.1')).toBeNull()
  })

  it("lists a relay user's message with real fields until it is delivered", async () => {
    const m = await relayUserSends(['a@example.org', 'b@example.net'])
    const q = await queue()
    expect(q.map((x: { Id: number }) => x.Id)).toEqual([1, 2, 3, 4])
    expect(q[2]).toMatchObject({
      Id: 3,
      Uuid: m.id,
      MailFrom: 'toorop@tmail.io',
      AuthUser: 'toorop@tmail.io',
      RcptTo: 'a@example.org',
      MessageId: 'm1@tmail.io',
      Host: 'example.org',
      Status: 2,
      DeliveryFailedCount: 0,
    })
    expect(Object.keys(q[2])).toEqual(Object.keys(q[0]))
    expect(JSON.parse(await (await get(4)).text())).toMatchObject({ RcptTo: 'b@example.net', Status: 2 })

    const w = startWorker(rt.mail, { mode: 'capture', pollMs: 60_000 })
    await w.runOnce()
    await w.stop()
    expect((await queue()).map((x: { Id: number }) => x.Id)).toEqual([1, 2])
    expect(await (await get(3)).text()).toBe('{"msg":"no such message 3","raw":""}')
    // The processor removes the rows of delivered mail.
    expect(await processQueue(rt.contexts.get('tmail')!)).toMatchObject({ removed: 2 })
  })

  it('shows a deferred entry with its failures and next attempt', async () => {
    const m = await relayUserSends(['a@example.org'])
    const w = startWorker(rt.mail, {
      mode: 'relay',
      relay: {
        send: async () => ({ kind: 'temporary', response: '451 later', code: 451 }),
        close: async () => {},
      },
      pollMs: 60_000,
      retryDelayMs: 3_600_000,
    })
    await w.runOnce()
    await w.stop()
    const row = JSON.parse(await (await get(3)).text())
    const entry = (await rt.mail.get(m.id))!.recipients[0]!
    expect(row.Status).toBe(2)
    expect(row.DeliveryFailedCount).toBe(1)
    expect(new Date(row.NextDeliveryScheduledAt).getTime()).toBe(entry.nextAttemptAt)
  })

  it('discards and bounces the real entries; the bounce sends a DSN to the sender', async () => {
    const m = await relayUserSends(['a@example.org', 'b@example.net'])
    expect((await rt.app.request('/queue/discard/3', { ...auth, method: 'DELETE' })).status).toBe(200)
    expect((await rt.app.request('/queue/bounce/4', { ...auth, method: 'DELETE' })).status).toBe(200)
    expect((await rt.mail.get(m.id))!.recipients.map((r) => r.state)).toEqual(['discarded', 'bounced'])
    expect(JSON.parse(await (await get(3)).text()).Status).toBe(1)
    expect(JSON.parse(await (await get(4)).text()).Status).toBe(3)
    // Asking again is a no-op; the other decision is refused (the pipeline's are final).
    expect((await rt.app.request('/queue/bounce/4', { ...auth, method: 'DELETE' })).status).toBe(200)
    const re = await rt.app.request('/queue/discard/4', { ...auth, method: 'DELETE' })
    expect(re.status).toBe(422)
    expect(await re.text()).toBe('{"msg":"unable to discard message 4","raw":"message already bounced"}')
    const dsn = (await rt.mail.list()).find((x) => x.via === 'dsn')!
    expect(dsn.envelope).toEqual({ from: '', to: ['toorop@tmail.io'] })
    // The processor lists the DSN (a bounce to a tmail sender) and removes the finished rows.
    expect(await processQueue(rt.contexts.get('tmail')!)).toMatchObject({ removed: 2, adopted: 1 })
    const q = await queue()
    expect(q.map((x: { Id: number }) => x.Id)).toEqual([1, 2, 5])
    expect(q[2]).toMatchObject({
      Uuid: dsn.id,
      MailFrom: '',
      AuthUser: '',
      RcptTo: 'toorop@tmail.io',
      Host: 'tmail.io',
      Status: 2,
    })
  })

  it('lists mail accepted just before a crash, whose row was never written', async () => {
    const m = await rt.mail.submit({
      envelope: { from: 'toorop@tmail.io', to: ['a@example.org'] },
      raw: RAW,
      plugin: 'tmail',
      principal: 'toorop@tmail.io',
      via: 'smtp',
    })
    expect((await queue()).map((x: { Id: number }) => x.Id)).toEqual([1, 2])
    const ctx = rt.contexts.get('tmail')!
    expect(await processQueue(ctx)).toMatchObject({ adopted: 1 })
    expect((await queue())[2]).toMatchObject({
      Uuid: m.id,
      AuthUser: 'toorop@tmail.io',
      RcptTo: 'a@example.org',
    })
    // Once adopted, never twice; the accepted hook arriving late changes nothing.
    expect((await processQueue(ctx)).adopted).toBeUndefined()
    await rt.plugins.find((p) => p.id === 'tmail')!.mail!.smtpAuth!(ctx).accepted!('toorop@tmail.io', m)
    expect(await queue()).toHaveLength(3)
  })
})
