import type { Clock } from '../clock.ts'
import type { RateLimitStore, RateLimitWindow } from './types.ts'

/** Whole seconds until `resetAt`, at least 1 (a `Retry-After` value). */
export function retryAfterSeconds(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000))
}

/**
 * Count one call of `key` against a window: null when it may pass, else the seconds until the window
 * resets (its `Retry-After`). The plugin renders the refusal in its own format.
 */
export async function consumeCall(
  store: RateLimitStore,
  key: string,
  window: RateLimitWindow,
  clock: Clock,
): Promise<number | null> {
  const r = await store.consume(key, window)
  return r.allowed ? null : retryAfterSeconds(r.resetAt, clock.now())
}
