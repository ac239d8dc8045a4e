import { createRequire } from 'node:module'
import type { Redis as RedisClient } from 'ioredis'
import type { ConsumeResult, RateLimitStore, RateLimitWindow } from './types.ts'

// Loaded on first use: most processes (the CLI, a single instance) never talk to Redis.
const require = createRequire(import.meta.url)

// INCR and the window's first PEXPIRE in one atomic script; rejected requests do not extend the window.
const SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`

/** Fixed windows in Redis, shared by several instances. */
export function redisRateLimitStore(url: string, opts: { prefix?: string } = {}): RateLimitStore {
  const { Redis } = require('ioredis') as { Redis: typeof RedisClient }
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
