import { type EntryRow, QUEUE } from './models.ts'
import { emitEntryEvent } from './outcome.ts'
import { asRead } from './queue-claim.ts'
import type { MailPipeline } from './service.ts'

/**
 * Capture mode: a batch of entries marked delivered (stored, never sent) in one transaction, one
 * commit rather than one per entry; their events after it commits. Returns how many it took.
 */
export async function captureAll(p: MailPipeline, rows: EntryRow[]): Promise<number> {
  const done = await p.storage.transaction(async (tx) => {
    const out: EntryRow[] = []
    for (const e of rows) {
      const row = await tx.updateOne<EntryRow>({
        model: QUEUE,
        where: asRead(e),
        set: {
          state: 'delivered',
          attempts: e.attempts + 1,
          last_response: 'captured',
          lease_until: null,
          updated_at: p.clock.now(),
        },
      })
      if (row) out.push(row)
    }
    return out
  })
  for (const row of done) {
    p.log.info(
      {
        mail: row.message,
        entry: row.id,
        rcpt: row.rcpt,
        plugin: row.plugin,
        attempt: row.attempts,
        result: 'captured',
      },
      'mail delivery',
    )
    emitEntryEvent(p, 'delivered', row, 'captured', row.updated_at)
  }
  return done.length
}
