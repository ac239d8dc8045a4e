import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { ConsumeResult, RateLimitStore, RateLimitWindow, WindowState } from './types.ts'

/** The in-process store, which can also give a count back (a reservation that was not used). */
export interface MemoryRateLimitStore extends RateLimitStore {
  /** Give back one count taken by `consume` in the window that resets at `resetAt`, if it is still that window. */
  giveBack(key: string, resetAt: number): void
}

/** Fixed windows in process memory (one instance only). */
export function memoryRateLimitStore(opts: { clock?: Clock; maxKeys?: number } = {}): MemoryRateLimitStore {
  const clock = opts.clock ?? systemClock
  const maxKeys = opts.maxKeys ?? 100_000
  const windows = new Map<string, { count: number; resetAt: number }>()
  return {
    id: 'memory',
    async consume(key: string, w: RateLimitWindow): Promise<ConsumeResult> {
      const now = clock.now()
      let cur = windows.get(key)
      if (!cur || cur.resetAt <= now) {
        if (!cur && windows.size >= maxKeys) {
          for (const [k, v] of windows) if (v.resetAt <= now) windows.delete(k)
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string)
        }
        cur = { count: 0, resetAt: now + w.windowMs }
        windows.set(key, cur)
      }
      if (cur.count >= w.max) return { allowed: false, remaining: 0, resetAt: cur.resetAt }
      cur.count++
      return { allowed: true, remaining: w.max - cur.count, resetAt: cur.resetAt }
    },
    giveBack(key, resetAt) {
      const cur = windows.get(key)
      if (cur && cur.resetAt === resetAt && cur.count > 0) cur.count--
    },
    async peek(keys: string[]): Promise<WindowState[]> {
      const now = clock.now()
      return keys.map((k) => {
        const cur = windows.get(k)
        return cur && cur.resetAt > now
          ? { count: cur.count, resetAt: cur.resetAt }
          : { count: 0, resetAt: 0 }
      })
    },
  }
}
