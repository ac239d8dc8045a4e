import { type FindManyArgs, memoryAdapter, type StorageAdapter } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { mailModels, SEARCH } from './models.ts'
import { mailQueries } from './queries.ts'
import { createMailPipeline, type MailPipeline } from './service.ts'

let now = 1_000_000_000
let mail: MailPipeline
/** Every findMany on the search table: what a `q` search reads. */
let searchReads: FindManyArgs[]

beforeEach(async () => {
  const inner = memoryAdapter()
  await inner.migrate(mailModels)
  searchReads = []
  const storage: StorageAdapter = {
    ...inner,
    findMany: (a) => {
      if (a.model === SEARCH) searchReads.push(a)
      return inner.findMany(a)
    },
  }
  mail = createMailPipeline({ storage, clock: { now: () => now } })
})

async function submit(subject: string) {
  now += 1000
  await mail.submit({
    envelope: { from: 'a@example.com', to: ['b@example.org'] },
    raw: Buffer.from(`Subject: ${subject}\r\n\r\n${'a long body '.repeat(100)}${subject}\r\n`),
    plugin: 'smtpd',
    via: 'smtp',
  })
}

describe('a ?q= search', () => {
  it('reads only message ids from the search table, once per page', async () => {
    for (const s of ['hello one', 'hello two', 'other']) await submit(s)
    const got = await mail.page({ q: 'hello' })
    expect(got.total).toBe(2)
    expect(got.truncated).toBe(false)
    expect(got.messages.map((m) => m.subject)).toEqual(['hello two', 'hello one'])
    expect(searchReads).toHaveLength(1)
    expect(searchReads[0]!.select).toEqual(['message'])
    const rows = await mail.storage.findMany({ ...searchReads[0]!, model: SEARCH })
    expect(rows.every((r) => !('text' in r))).toBe(true)
  })

  it('keeps the newest matches when there are more than it may hold, and says it was cut', async () => {
    for (const s of ['hello 1', 'hello 2', 'hello 3', 'hello 4']) await submit(s)
    const q = mailQueries(mail.storage, 2)
    const got = await q.page({ q: 'hello' })
    expect(got).toMatchObject({ total: 2, truncated: true })
    expect(got.messages.map((m) => m.subject)).toEqual(['hello 4', 'hello 3'])
    expect((await q.page({ q: 'hello 1' })).truncated).toBe(false)
  })
})
