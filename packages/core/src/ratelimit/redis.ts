import { Redis } from 'ioredis'
import type { ConsumeResult, RateLimitStore, RateLimitWindow } from './types.ts'

// INCR and the window's first PEXPIRE in one atomic script; rejected requests do not extend the window.
const SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`

/** Fixed windows in Redis, shared by several instances. */
export function redisRateLimitStore(url: string, opts: { prefix?: string } = {}): RateLimitStore {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true })
  const prefix = opts.prefix ?? 'mailfront:rl:'
  return {
    id: 'redis',
    async consume(key: string, w: RateLimitWindow): Promise<ConsumeResult> {
      const [count, ttl] = (await redis.eval(SCRIPT, 1, prefix + key, String(w.windowMs))) as [number, number]
      const resetAt = Date.now() + ttl
      return count <= w.max
        ? { allowed: true, remaining: w.max - count, resetAt }
        : { allowed: false, remaining: 0, resetAt }
    },
    async close() {
      redis.disconnect()
    },
  }
}
