import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { ModelSchema, StorageAdapter } from '../storage/types.ts'
import { UniqueViolationError } from '../storage/types.ts'
import type { ConsumeResult, RateLimitStore, RateLimitWindow, WindowState } from './types.ts'

export const RATE_LIMIT_MODEL = 'core_rate_limit'

export const rateLimitModels: ModelSchema = {
  [RATE_LIMIT_MODEL]: {
    fields: {
      key: { type: 'string', unique: true },
      count: { type: 'integer' },
      reset_at: { type: 'timestamp' },
    },
  },
}

/** How often an instance deletes windows that have ended (the login throttle makes many keys). */
export const RATE_LIMIT_PURGE_EVERY_MS = 10 * 60_000

/** Fixed windows in the store, so every instance on one database shares them. Guarded increments only. */
export function storageRateLimitStore(storage: StorageAdapter, opts: { clock?: Clock } = {}): RateLimitStore {
  const clock = opts.clock ?? systemClock
  const model = RATE_LIMIT_MODEL
  let lastPurge = clock.now()
  // Ended windows are never read again: drop them now and then, off the request's path.
  function purgeNowAndThen(now: number) {
    if (now - lastPurge < RATE_LIMIT_PURGE_EVERY_MS) return
    lastPurge = now
    storage.deleteMany({ model, where: { field: 'reset_at', op: 'lte', value: now } }).catch(() => undefined)
  }
  return {
    id: 'storage',
    async consume(key: string, w: RateLimitWindow): Promise<ConsumeResult> {
      purgeNowAndThen(clock.now())
      for (let attempt = 0; attempt < 5; attempt++) {
        const now = clock.now()
        const live = {
          and: [
            { field: 'key', value: key },
            { field: 'reset_at', op: 'gt' as const, value: now },
          ],
        }
        const inc = await storage.increment({
          model,
          where: { and: [...live.and, { field: 'count', op: 'lt', value: w.max }] },
          by: { count: 1 },
        })
        if (inc) return { allowed: true, remaining: w.max - Number(inc.count), resetAt: Number(inc.reset_at) }
        const cur = await storage.findOne({ model, where: { field: 'key', value: key } })
        if (cur && Number(cur.reset_at) > now)
          return { allowed: false, remaining: 0, resetAt: Number(cur.reset_at) }
        const resetAt = now + w.windowMs
        if (cur) {
          // Expired window: restart it, guarded so concurrent restarts yield one winner.
          const restarted = await storage.updateOne({
            model,
            where: {
              and: [
                { field: 'key', value: key },
                { field: 'reset_at', op: 'lte', value: now },
              ],
            },
            set: { count: 1, reset_at: resetAt },
          })
          if (restarted) return { allowed: w.max >= 1, remaining: w.max - 1, resetAt }
          continue
        }
        try {
          await storage.create({ model, data: { key, count: 1, reset_at: resetAt } })
          return { allowed: w.max >= 1, remaining: w.max - 1, resetAt }
        } catch (e) {
          if (!(e instanceof UniqueViolationError)) throw e
        }
      }
      throw new Error('rate limit: too much contention on one key')
    },
    async peek(keys: string[]): Promise<WindowState[]> {
      if (!keys.length) return []
      const now = clock.now()
      const rows = await storage.findMany({
        model,
        where: {
          and: [
            { field: 'key', op: 'in', value: keys },
            { field: 'reset_at', op: 'gt', value: now },
          ],
        },
      })
      const byKey = new Map(rows.map((r) => [String(r.key), r]))
      return keys.map((k) => {
        const r = byKey.get(k)
        return r ? { count: Number(r.count), resetAt: Number(r.reset_at) } : { count: 0, resetAt: 0 }
      })
    },
  }
}
