import type { Context, MiddlewareHandler } from 'hono'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { ApiError } from '../errors.ts'
import type { RateLimitStore, RateLimitWindow } from './types.ts'

export interface RateLimitOptions extends RateLimitWindow {
  store: RateLimitStore
  /** The bucket for this request; null skips the limit. */
  key: (c: Context) => string | null | Promise<string | null>
  clock?: Clock
  /** Called on a rejection (metrics); the rejection itself is an ApiError the plugin renders. */
  onReject?: (c: Context) => void
  /** Set the IETF RateLimit-* headers on passing requests too. */
  headers?: boolean
}

export function retryAfterSeconds(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000))
}

/** Consume one request; throws ApiError RATE_LIMITED (with Retry-After) for the plugin to render. */
export async function enforceRateLimit(
  c: Context,
  o: Omit<RateLimitOptions, 'key'>,
  key: string,
): Promise<void> {
  if (o.max <= 0 || o.windowMs <= 0) return
  const r = await o.store.consume(key, o)
  const now = (o.clock ?? systemClock).now()
  const reset = retryAfterSeconds(r.resetAt, now)
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(o.max),
    'RateLimit-Remaining': String(r.remaining),
    'RateLimit-Reset': String(reset),
  }
  if (!r.allowed) {
    o.onReject?.(c)
    throw new ApiError('RATE_LIMITED', 429, 'Too many requests', {
      headers: { ...headers, 'Retry-After': String(reset) },
    })
  }
  if (o.headers !== false) for (const [k, v] of Object.entries(headers)) c.header(k, v)
}

export function rateLimit(o: RateLimitOptions): MiddlewareHandler {
  return async (c, next) => {
    const key = await o.key(c)
    if (key !== null) await enforceRateLimit(c, o, key)
    await next()
  }
}
