import { createRequire } from 'node:module'
import type * as IORedis from 'ioredis'
import { StoreUnavailableError } from '../storage/unavailable.ts'
import type { ConsumeResult, RateLimitStore, RateLimitWindow, WindowState } from './types.ts'

// Loaded on first use: most processes (the CLI, a single instance) never talk to Redis.
const require = createRequire(import.meta.url)

// INCR and the window's first PEXPIRE in one atomic script; rejected requests do not extend the window.
const SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`

// Every key's count and remaining time, in one round trip.
const PEEK = `
local out = {}
for i, k in ipairs(KEYS) do
  out[2 * i - 1] = tonumber(redis.call('GET', k) or '0')
  out[2 * i] = redis.call('PTTL', k)
end
return out`

/**
 * Fixed windows in Redis, shared by several instances. ioredis reconnects by itself; while Redis is
 * unreachable a call fails after two retries with StoreUnavailableError (a 503 for the client).
 */
export function redisRateLimitStore(
  url: string,
  opts: { prefix?: string; connectionName?: string } = {},
): RateLimitStore {
  const { Redis, ReplyError } = require('ioredis') as typeof IORedis
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    ...(opts.connectionName ? { connectionName: opts.connectionName } : {}),
  })
  // Without a listener a lost connection is an unhandled 'error' event; ioredis retries on its own.
  redis.on('error', () => undefined)
  const prefix = opts.prefix ?? 'mailfront:rl:'
  // Connection failures, and Redis saying it cannot serve now, are an outage; any other reply error is a bug.
  const unavailable = (e: unknown): never => {
    if (
      e instanceof ReplyError &&
      !/^(LOADING|READONLY|MASTERDOWN|BUSY|OOM|TRYAGAIN)\b/.test((e as Error).message)
    )
      throw e
    throw new StoreUnavailableError('redis', e)
  }
  return {
    id: 'redis',
    async consume(key: string, w: RateLimitWindow): Promise<ConsumeResult> {
      const [count, ttl] = (await redis
        .eval(SCRIPT, 1, prefix + key, String(w.windowMs))
        .catch(unavailable)) as [number, number]
      const resetAt = Date.now() + ttl
      return count <= w.max
        ? { allowed: true, remaining: w.max - count, resetAt }
        : { allowed: false, remaining: 0, resetAt }
    },
    async peek(keys: string[]): Promise<WindowState[]> {
      if (!keys.length) return []
      const flat = (await redis
        .eval(PEEK, keys.length, ...keys.map((k) => prefix + k))
        .catch(unavailable)) as number[]
      const now = Date.now()
      return keys.map((_, i) => {
        const count = Number(flat[2 * i])
        const ttl = Number(flat[2 * i + 1])
        return count > 0 && ttl > 0 ? { count, resetAt: now + ttl } : { count: 0, resetAt: 0 }
      })
    },
    async close() {
      redis.disconnect()
    },
  }
}
