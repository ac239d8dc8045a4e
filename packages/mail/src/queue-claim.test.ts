import { createManualClock, memoryAdapter } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { type EntryRow, mailModels, QUEUE } from './models.ts'
import { claimEntry, dueEntries } from './queue-claim.ts'
import { createMailPipeline } from './service.ts'

async function queued(to: string[]) {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const clock = createManualClock(Date.UTC(2026, 5, 10, 12))
  const p = createMailPipeline({ storage, clock })
  const raw = new TextEncoder().encode('Subject: x\r\n\r\nBody\r\n')
  await p.submit({ envelope: { from: 'a@example.com', to }, raw, plugin: 'authsmtp', via: 'smtp' })
  return { storage, clock }
}

describe('queue claims', () => {
  it('claims an entry once: a second claim of the row as read finds it taken', async () => {
    const { storage, clock } = await queued(['b@example.org'])
    const [e] = await dueEntries(storage, clock.now(), 10)
    const first = await claimEntry(storage, e!, clock.now(), 60_000)
    expect(first).toMatchObject({ claimed: { state: 'delivering' }, lease: clock.now() + 60_000 })
    expect(await claimEntry(storage, e!, clock.now(), 60_000)).toBeNull()
  })

  it('is due when pending and its time has come, or delivering past its lease', async () => {
    const { storage, clock } = await queued(['b@example.org', 'c@example.org'])
    const [b, c] = await dueEntries(storage, clock.now(), 10)
    await storage.updateOne<EntryRow>({
      model: QUEUE,
      where: { field: 'id', value: b!.id },
      set: { state: 'deferred', next_attempt_at: clock.now() + 5000 },
    })
    await claimEntry(storage, c!, clock.now(), 1000)
    expect(await dueEntries(storage, clock.now(), 10)).toEqual([])
    clock.advance(1001)
    expect((await dueEntries(storage, clock.now(), 10)).map((e) => e.rcpt)).toEqual(['c@example.org'])
    clock.advance(4000)
    expect((await dueEntries(storage, clock.now(), 10)).map((e) => e.rcpt)).toEqual([
      'c@example.org',
      'b@example.org',
    ])
  })
})
