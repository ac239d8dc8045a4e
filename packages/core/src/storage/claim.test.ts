import { describe, expect, it } from 'vitest'
import { claimLease } from './claim.ts'
import { memoryAdapter } from './memory.ts'

describe('claimLease', () => {
  it('one claim of a row as read wins; the lease is set with the fields given', async () => {
    const db = memoryAdapter()
    await db.migrate({
      t_queue: {
        fields: { state: { type: 'string' }, lease_until: { type: 'timestamp' }, owner: { type: 'string' } },
      },
    })
    const row = await db.create({ model: 't_queue', data: { state: 'waiting', lease_until: 0, owner: '' } })
    const asRead = {
      and: [
        { field: 'id', value: row.id },
        { field: 'lease_until', value: 0 },
      ],
    }
    const first = await claimLease(db, {
      model: 't_queue',
      asRead,
      now: 1_000,
      leaseMs: 500,
      set: { state: 'sending', owner: 'a' },
    })
    expect(first).toEqual({
      lease: 1_500,
      claimed: expect.objectContaining({ id: row.id, state: 'sending', owner: 'a', lease_until: 1_500 }),
    })
    // The same read again (another instance's): the row changed, so the claim is refused.
    expect(
      await claimLease(db, { model: 't_queue', asRead, now: 1_000, leaseMs: 500, set: { owner: 'b' } }),
    ).toBeNull()
    expect(await db.findOne({ model: 't_queue', where: { field: 'id', value: row.id } })).toMatchObject({
      owner: 'a',
    })
  })

  it('names another lease field when asked', async () => {
    const db = memoryAdapter()
    await db.migrate({ t_jobs: { fields: { held_until: { type: 'timestamp' } } } })
    const row = await db.create({ model: 't_jobs', data: { held_until: 0 } })
    const got = await claimLease(db, {
      model: 't_jobs',
      asRead: { field: 'id', value: row.id },
      now: 10,
      leaseMs: 5,
      leaseField: 'held_until',
    })
    expect(got?.claimed).toMatchObject({ held_until: 15 })
  })
})
