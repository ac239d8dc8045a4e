import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { memoryAdapter } from '../storage/memory.ts'
import { StoreUnavailableError } from '../storage/unavailable.ts'
import { consumeCall } from './consume.ts'
import { memoryRateLimitStore } from './memory.ts'
import { redisRateLimitStore } from './redis.ts'
import { RATE_LIMIT_PURGE_EVERY_MS, rateLimitModels, storageRateLimitStore } from './storage.ts'
import type { RateLimitStore } from './types.ts'

function storeSuite(
  name: string,
  make: (clock: ReturnType<typeof createManualClock>) => Promise<RateLimitStore>,
  timed = true,
) {
  describe(`rate-limit store: ${name}`, () => {
    it('allows max per window, then rejects until the window resets', async () => {
      const clock = createManualClock()
      const s = await make(clock)
      const key = `k${Math.random()}`
      const w = { windowMs: 20_000, max: 2 }
      expect((await s.consume(key, w)).allowed).toBe(true)
      expect((await s.consume(key, w)).remaining).toBe(0)
      const r = await s.consume(key, w)
      expect(r.allowed).toBe(false)
      if (timed) {
        clock.advance(19_999)
        expect((await s.consume(key, w)).allowed).toBe(false)
        clock.advance(1)
        expect((await s.consume(key, w)).allowed).toBe(true)
      }
      await s.close?.()
    })
    it('peeks at several windows without counting', async () => {
      const clock = createManualClock()
      const s = await make(clock)
      const a = `pa${Math.random()}`
      const b = `pb${Math.random()}`
      await s.consume(a, { windowMs: 20_000, max: 5 })
      await s.consume(a, { windowMs: 20_000, max: 5 })
      const [pa, pb] = await s.peek([a, b])
      expect(pa!.count).toBe(2)
      expect(pa!.resetAt).toBeGreaterThan(0)
      expect(pb).toEqual({ count: 0, resetAt: 0 })
      expect((await s.peek([a]))[0]!.count).toBe(2)
      if (timed) {
        clock.advance(20_000)
        expect(await s.peek([a])).toEqual([{ count: 0, resetAt: 0 }])
      }
      await s.close?.()
    })
    it('is atomic under concurrency: exactly max pass', async () => {
      const s = await make(createManualClock())
      const key = `c${Math.random()}`
      const results = await Promise.all(
        Array.from({ length: 30 }, () => s.consume(key, { windowMs: 60_000, max: 7 })),
      )
      expect(results.filter((r) => r.allowed)).toHaveLength(7)
      await s.close?.()
    })
  })
}

storeSuite('memory', async (clock) => memoryRateLimitStore({ clock }))

describe('storage rate-limit store housekeeping', () => {
  it('deletes ended windows every 10 minutes, keeping live ones', async () => {
    const clock = createManualClock()
    const db = memoryAdapter()
    await db.migrate(rateLimitModels)
    const s = storageRateLimitStore(db, { clock })
    for (let i = 0; i < 5; i++) await s.consume(`old${i}`, { windowMs: 60_000, max: 5 })
    await s.consume('long', { windowMs: 3_600_000, max: 5 })
    clock.advance(RATE_LIMIT_PURGE_EVERY_MS)
    await s.consume('new', { windowMs: 60_000, max: 5 })
    await new Promise((r) => setTimeout(r, 0))
    const keys = (await db.findMany({ model: 'core_rate_limit', sort: [{ field: 'key' }] })).map((r) => r.key)
    expect(keys).toEqual(['long', 'new'])
  })
})
storeSuite('storage (memory adapter)', async (clock) => {
  const db = memoryAdapter()
  await db.migrate(rateLimitModels)
  return storageRateLimitStore(db, { clock })
})
const redisUrl = process.env.MAILFRONT_TEST_REDIS_URL
if (redisUrl) {
  console.log('[core] Redis rate-limit store: real Redis')
  // Redis keeps its own clock, so the window-reset step is not replayed with the manual clock.
  storeSuite(
    'redis',
    async () => redisRateLimitStore(redisUrl, { prefix: `mailfront-test:${process.pid}:` }),
    false,
  )
  it('redis: survives its connection being killed, and reconnects by itself', async () => {
    const name = `mailfront-test-${process.pid}-${Date.now()}`
    const s = redisRateLimitStore(redisUrl, { prefix: `${name}:`, connectionName: name })
    const w = { windowMs: 60_000, max: 100 }
    expect((await s.consume('k', w)).remaining).toBe(99)
    const admin = new Redis(redisUrl)
    // Only our own connection, found by its name: other tests share this Redis.
    const list = (await admin.client('LIST')) as string
    const ids = list
      .split('\n')
      .filter((l) => l.includes(` name=${name} `))
      .map((l) => /id=(\d+)/.exec(l)![1]!)
    expect(ids.length).toBeGreaterThan(0)
    for (const id of ids) await admin.client('KILL', 'ID', id)
    admin.disconnect()
    expect((await s.consume('k', w)).remaining).toBe(98)
    await s.close?.()
  })
} else {
  console.log('[core] Redis rate-limit store skipped: MAILFRONT_TEST_REDIS_URL is not set')
}

describe('redis rate-limit store while Redis is unreachable', () => {
  it('answers StoreUnavailableError (a 503), not a crash or a hang', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    const s = redisRateLimitStore('redis://127.0.0.1:1', { prefix: 'x:' })
    await expect(s.consume('k', { windowMs: 1000, max: 1 })).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(s.peek(['k'])).rejects.toBeInstanceOf(StoreUnavailableError)
    await s.close?.()
  })
})

describe('consumeCall', () => {
  it('answers null while the window allows, then the seconds until it resets', async () => {
    const clock = createManualClock()
    const store = memoryRateLimitStore({ clock })
    const w = { windowMs: 20_000, max: 1 }
    expect(await consumeCall(store, 'x', w, clock)).toBeNull()
    clock.advance(5_000)
    expect(await consumeCall(store, 'x', w, clock)).toBe(15)
    expect(await consumeCall(store, 'y', w, clock)).toBeNull()
    clock.advance(15_000)
    expect(await consumeCall(store, 'x', w, clock)).toBeNull()
  })
})
