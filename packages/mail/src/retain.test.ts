import { type Clock, memoryAdapter } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import { PRUNE_BATCH, pruneMail } from './retain.ts'
import { createMailPipeline, type MailPipeline } from './service.ts'

let now = 1_000_000_000
const clock: Clock = { now: () => now }
let mail: MailPipeline

const submit = (subject: string) =>
  mail.submit({
    envelope: { from: 'a@example.com', to: ['b@example.org'] },
    raw: Buffer.from(`Subject: ${subject}\r\n\r\nbody ${subject}\r\n`),
    plugin: 'smtpd',
    via: 'smtp',
  })

/** Captured (final) entries: what the capture worker leaves. */
async function capture() {
  for (const e of await mail.entries({ states: ['queued'] }))
    await mail.storage.updateOne({
      model: 'mail_queue',
      where: { field: 'id', value: e.entryId },
      set: { state: 'delivered' },
    })
}

beforeEach(async () => {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  mail = createMailPipeline({ storage, clock })
})

const subjects = async () => (await mail.list({ limit: 100 })).map((m) => m.subject)

describe('pruneMail (MAILFRONT_MAIL_RETAIN)', () => {
  it('keeps the newest `count` messages, with their bytes, search text and entries gone', async () => {
    for (const s of ['one', 'two', 'three', 'four']) {
      await submit(s)
      now += 1000
    }
    await capture()
    const oldest = (await mail.list({ subject: 'one' }))[0]!
    expect(await pruneMail(mail, { count: 2 })).toBe(2)
    expect(await subjects()).toEqual(['four', 'three'])
    expect(await mail.raw(oldest.id)).toBeNull()
    expect(await mail.count({ q: 'body' })).toBe(2)
    expect(await mail.entries()).toHaveLength(2)
    expect(await pruneMail(mail, { count: 2 })).toBe(0)
  })

  it('removes messages older than `ageMs`, and both rules together', async () => {
    await submit('old')
    now += 60_000
    await submit('middle')
    now += 60_000
    await submit('new')
    await capture()
    expect(await pruneMail(mail, { ageMs: 90_000 })).toBe(1)
    expect(await subjects()).toEqual(['new', 'middle'])
    expect(await pruneMail(mail, { count: 5, ageMs: 30_000 })).toBe(1)
    expect(await subjects()).toEqual(['new'])
  })

  it('never removes a message still being delivered', async () => {
    await submit('queued')
    now += 1000
    await submit('later')
    expect(await pruneMail(mail, { count: 0 })).toBe(0)
    expect(await subjects()).toEqual(['later', 'queued'])
  })

  it('pages past a full batch of busy messages to the older mail that can go', async () => {
    await submit('oldest')
    await capture()
    now += 1000
    for (let i = 0; i < PRUNE_BATCH; i++) await submit(`busy ${i}`)
    now += 1000
    await submit('newest')
    // The newest one kept; the 500 behind it still queued; the oldest, delivered, past them all.
    expect(await pruneMail(mail, { count: 1 })).toBe(1)
    expect(await mail.count()).toBe(PRUNE_BATCH + 1)
    expect(await mail.count({ subject: 'oldest' })).toBe(0)
  })

  it('the same for the age rule', async () => {
    await submit('oldest')
    await capture()
    now += 1000
    for (let i = 0; i < PRUNE_BATCH; i++) await submit(`busy ${i}`)
    now += 60_000
    expect(await pruneMail(mail, { ageMs: 30_000 })).toBe(1)
    expect(await mail.count({ subject: 'oldest' })).toBe(0)
    expect(await mail.count()).toBe(PRUNE_BATCH)
  })
})
