import type { PluginContext } from '@mailfront/core'
import { SEND } from './models.ts'
import { periodStart } from './sends.ts'

/** The usage categories as documented (sic `proccessed`), from each send's `state_category`. */
const CATEGORIES = [
  'unknown',
  'accepted',
  'processed',
  'sent',
  'delivered',
  'bounced',
  'complaint',
  'rejected',
]

/** Sends of the plan period (the calendar month, UTC) by category: what the monthly limit counts. */
export async function usageOf(ctx: PluginContext, accountId: string) {
  const since = periodStart(ctx.clock.now())
  const counts = await Promise.all(
    CATEGORIES.map((category) =>
      ctx.storage.count({
        model: SEND,
        where: {
          and: [
            { field: 'account_id', value: accountId },
            { field: 'created_at', op: 'gte', value: since },
            { field: 'state_category', value: category },
          ],
        },
      }),
    ),
  )
  const total_by_category: Record<string, number> = {}
  CATEGORIES.forEach((k, i) => {
    total_by_category[k === 'processed' ? 'proccessed' : k] = counts[i]!
  })
  return { total: counts.reduce((a, b) => a + b, 0), total_by_category }
}
