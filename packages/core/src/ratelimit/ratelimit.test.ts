import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { ApiError } from '../errors.ts'
import { memoryAdapter } from '../storage/memory.ts'
import { memoryRateLimitStore } from './memory.ts'
import { rateLimit } from './middleware.ts'
import { redisRateLimitStore } from './redis.ts'
import { rateLimitModels, storageRateLimitStore } from './storage.ts'
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
} else {
  console.log('[core] Redis rate-limit store skipped: MAILFRONT_TEST_REDIS_URL is not set')
}

describe('rateLimit middleware', () => {
  it('sets RateLimit-* headers and throws RATE_LIMITED with Retry-After for the plugin to render', async () => {
    const clock = createManualClock()
    const app = new Hono()
    app.onError((e, c) => {
      const err = e as ApiError
      expect(err).toBeInstanceOf(ApiError)
      return c.text(`limited ${err.code}`, 429, err.headers)
    })
    app.use(
      '*',
      rateLimit({ store: memoryRateLimitStore({ clock }), windowMs: 20_000, max: 1, clock, key: () => 'x' }),
    )
    app.get('/', (c) => c.text('ok'))
    const ok = await app.request('/')
    expect(ok.headers.get('RateLimit-Limit')).toBe('1')
    expect(ok.headers.get('RateLimit-Remaining')).toBe('0')
    expect(ok.headers.get('RateLimit-Reset')).toBe('20')
    clock.advance(5_000)
    const no = await app.request('/')
    expect(no.status).toBe(429)
    expect(await no.text()).toBe('limited RATE_LIMITED')
    expect(no.headers.get('Retry-After')).toBe('15')
  })
})
