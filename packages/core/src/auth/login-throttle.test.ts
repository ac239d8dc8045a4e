import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { memoryRateLimitStore } from '../ratelimit/memory.ts'
import { rateLimitModels, storageRateLimitStore } from '../ratelimit/storage.ts'
import type { RateLimitStore } from '../ratelimit/types.ts'
import { memoryAdapter } from '../storage/memory.ts'
import { DEFAULT_LOGIN_LIMITS, LoginThrottle, loginThrottleLimitsFrom } from './login-throttle.ts'

const PASSWORD = 'right'
const check = (pw: string) => async () => (pw === PASSWORD ? 'principal' : null)

async function stores(clock: ReturnType<typeof createManualClock>): Promise<[string, RateLimitStore][]> {
  const db = memoryAdapter()
  await db.migrate(rateLimitModels)
  return [
    ['memory', memoryRateLimitStore({ clock })],
    ['storage', storageRateLimitStore(db, { clock })],
  ]
}

/** A store that counts its reads. */
function countingStore(inner: RateLimitStore) {
  let n = 0
  const store: RateLimitStore = {
    ...inner,
    peek(keys) {
      n++
      return inner.peek(keys)
    },
  }
  return { store, peeks: () => n }
}

/** 50 concurrent wrong passwords for one pair under a limit of 5: 5 checked and failed, 45 refused. */
async function expectBurstHeldToFive(t: LoginThrottle): Promise<void> {
  let checks = 0
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, () =>
      t.attempt('alice', '192.0.2.1', async () => {
        checks++
        await new Promise((r) => setTimeout(r, 2))
        return null
      }),
    ),
  )
  expect(checks).toBe(5)
  expect(outcomes.filter((o) => o.status === 'failed')).toHaveLength(5)
  expect(outcomes.filter((o) => o.status === 'refused')).toHaveLength(45)
}

describe('LoginThrottle', () => {
  it('never refuses successes: 1000 right passwords in a minute from one address', async () => {
    const clock = createManualClock()
    for (const [, store] of await stores(clock)) {
      const t = new LoginThrottle(store, { scope: 't', clock })
      for (let i = 0; i < 1000; i++)
        expect(await t.attempt('alice', '192.0.2.1', check(PASSWORD))).toEqual({
          status: 'ok',
          value: 'principal',
        })
    }
  })

  it('refuses a (login, address) pair after its failures, before checking, until the window ends', async () => {
    const clock = createManualClock()
    for (const [name, store] of await stores(clock)) {
      const t = new LoginThrottle(store, { scope: name, clock, limits: { perLoginAndAddress: 3 } })
      for (let i = 0; i < 3; i++)
        expect((await t.attempt('Alice', '192.0.2.1', check('x'))).status).toBe('failed')
      let ran = false
      const refused = await t.attempt('alice', '192.0.2.1', async () => {
        ran = true
        return 'p'
      })
      expect(ran).toBe(false)
      expect(refused).toEqual({ status: 'refused', retryAfterS: 900 })
      // Another address of the same user, and another user from that address, are not refused.
      expect((await t.attempt('alice', '192.0.2.2', check(PASSWORD))).status).toBe('ok')
      expect((await t.attempt('bob', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
      clock.advance(DEFAULT_LOGIN_LIMITS.windowMs)
      expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    }
  })

  it('refuses an address after its failures over many logins (password spraying)', async () => {
    const clock = createManualClock()
    const t = new LoginThrottle(memoryRateLimitStore({ clock }), {
      scope: 's',
      clock,
      limits: { perAddress: 5 },
    })
    for (let i = 0; i < 5; i++)
      expect((await t.attempt(`user${i}`, '198.51.100.7', check('x'))).status).toBe('failed')
    expect((await t.attempt('someone', '198.51.100.7', check(PASSWORD))).status).toBe('refused')
    expect((await t.attempt('someone', '198.51.100.8', check(PASSWORD))).status).toBe('ok')
  })

  it('resists lockout: strangers failing from many addresses do not lock the user out of their own', async () => {
    const clock = createManualClock()
    const t = new LoginThrottle(memoryRateLimitStore({ clock }), {
      scope: 'l',
      clock,
      limits: { perLoginAndAddress: 3, perLogin: 20 },
    })
    // The user has logged in from home before.
    expect((await t.attempt('alice', '203.0.113.1', check(PASSWORD))).status).toBe('ok')
    // 20 addresses, 3 wrong passwords each: 60 failures, three times the per-login ceiling.
    for (let a = 0; a < 20; a++)
      for (let i = 0; i < 3; i++) await t.attempt('alice', `198.51.100.${a}`, check('guess'))
    // Each stranger address is stopped...
    expect((await t.attempt('alice', '198.51.100.0', check(PASSWORD))).status).toBe('refused')
    // ...a new address is refused while the login is over its ceiling (a distributed guess)...
    expect((await t.attempt('alice', '192.0.2.99', check(PASSWORD))).status).toBe('refused')
    // ...but the user's own address still logs in.
    expect((await t.attempt('alice', '203.0.113.1', check(PASSWORD))).status).toBe('ok')
  })

  it('does not let a burst of concurrent guesses outrun the count', async () => {
    const clock = createManualClock()
    const t = new LoginThrottle(memoryRateLimitStore({ clock }), {
      scope: 'b',
      clock,
      limits: { perLoginAndAddress: 5 },
    })
    await expectBurstHeldToFive(t)
  })

  it('does not let a burst outrun the count on a pair remembered after a success (the fast path)', async () => {
    const clock = createManualClock()
    const { store, peeks } = countingStore(memoryRateLimitStore({ clock }))
    const t = new LoginThrottle(store, { scope: 'f', clock, limits: { perLoginAndAddress: 5 } })
    // A success makes the pair remembered and its address known: the next ones skip the store.
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    const before = peeks()
    expect((await t.attempt('Alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    expect(peeks()).toBe(before)
    await expectBurstHeldToFive(t)
    expect(peeks()).toBeGreaterThan(before) // the failures made the others read the store again
    // A check that throws on the fast path frees its slot and passes the error on.
    const u = new LoginThrottle(memoryRateLimitStore({ clock }), {
      scope: 'g',
      clock,
      limits: { perLoginAndAddress: 1 },
    })
    expect((await u.attempt('bob', '192.0.2.2', check(PASSWORD))).status).toBe('ok')
    await expect(
      u.attempt('bob', '192.0.2.2', () => Promise.reject(new Error('store down'))),
    ).rejects.toThrow('store down')
    expect((await u.attempt('bob', '192.0.2.2', check(PASSWORD))).status).toBe('ok')
  })

  it('lets concurrent successes through (they wait, they are not refused)', async () => {
    const clock = createManualClock()
    const t = new LoginThrottle(memoryRateLimitStore({ clock }), {
      scope: 'c',
      clock,
      limits: { perLoginAndAddress: 2 },
    })
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.attempt('alice', '192.0.2.1', async () => {
          await new Promise((r) => setTimeout(r, 1))
          return 'p'
        }),
      ),
    )
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true)
  })

  it('reads the store at most once a second per pair while logins succeed', async () => {
    const clock = createManualClock()
    const { store, peeks } = countingStore(memoryRateLimitStore({ clock }))
    const t = new LoginThrottle(store, { scope: 'r', clock })
    for (let i = 0; i < 100; i++)
      expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    expect(peeks()).toBe(1)
    // Another pair is read on its own.
    await t.attempt('bob', '192.0.2.1', check(PASSWORD))
    expect(peeks()).toBe(2)
    clock.advance(999)
    await t.attempt('alice', '192.0.2.1', check(PASSWORD))
    expect(peeks()).toBe(2)
    clock.advance(1)
    await t.attempt('alice', '192.0.2.1', check(PASSWORD))
    expect(peeks()).toBe(3)
  })

  it('remembers the address as known with one write, not one per request', async () => {
    const clock = createManualClock()
    const inner = memoryRateLimitStore({ clock })
    let writes = 0
    const store: RateLimitStore = {
      ...inner,
      consume(k, w) {
        writes++
        return inner.consume(k, w)
      },
    }
    const t = new LoginThrottle(store, { scope: 'k', clock })
    for (let i = 0; i < 10; i++) await t.attempt('alice', '192.0.2.1', check(PASSWORD))
    clock.advance(1000)
    for (let i = 0; i < 10; i++) await t.attempt('alice', '192.0.2.1', check(PASSWORD))
    expect(writes).toBe(1)
  })

  it('counts exactly on one instance: a failure forgets every remembered read at once', async () => {
    const clock = createManualClock()
    const { store, peeks } = countingStore(memoryRateLimitStore({ clock }))
    const t = new LoginThrottle(store, {
      scope: 'f',
      clock,
      limits: { perLoginAndAddress: 3, perAddress: 4 },
    })
    await t.attempt('alice', '192.0.2.1', check(PASSWORD))
    await t.attempt('carol', '192.0.2.1', check(PASSWORD))
    for (let i = 0; i < 3; i++)
      expect((await t.attempt('alice', '192.0.2.1', check('x'))).status).toBe('failed')
    // No time has passed: the remembered reads would still be fresh, but they were dropped.
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    // Another login from the same address: its own read was dropped too (the address rule counts 3).
    expect((await t.attempt('carol', '192.0.2.1', check('x'))).status).toBe('failed')
    expect((await t.attempt('carol', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    expect(peeks()).toBeGreaterThanOrEqual(6)
  })

  it('does not remember a read that a failure overtook', async () => {
    const clock = createManualClock()
    const inner = memoryRateLimitStore({ clock })
    // The first read answers only after a failure has been counted: what it saw is out of date.
    let release: (() => void) | undefined
    let first = true
    const store: RateLimitStore = {
      ...inner,
      async peek(keys) {
        const before = await inner.peek(keys)
        if (first) {
          first = false
          await new Promise<void>((r) => {
            release = r
          })
        }
        return before
      },
    }
    const t = new LoginThrottle(store, { scope: 'o', clock, limits: { perLoginAndAddress: 1 } })
    const slow = t.attempt('alice', '192.0.2.1', check(PASSWORD))
    await new Promise((r) => setTimeout(r, 1))
    expect((await t.attempt('alice', '192.0.2.1', check('x'))).status).toBe('failed')
    release!()
    expect((await slow).status).toBe('ok')
    // The stale read (no failure) was not kept: the pair is over its limit.
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
  })

  it('sees failures counted by another instance within a second', async () => {
    const clock = createManualClock()
    const shared = memoryRateLimitStore({ clock })
    const a = new LoginThrottle(shared, { scope: 'x', clock, limits: { perLoginAndAddress: 3 } })
    const b = new LoginThrottle(shared, { scope: 'x', clock, limits: { perLoginAndAddress: 3 } })
    expect((await b.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    for (let i = 0; i < 3; i++) await a.attempt('alice', '192.0.2.1', check('x'))
    expect((await a.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    clock.advance(1000)
    expect((await b.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    // With the reuse turned off, another instance sees them at once.
    const c = new LoginThrottle(shared, {
      scope: 'y',
      clock,
      stateTtlMs: 0,
      limits: { perLoginAndAddress: 1 },
    })
    const d = new LoginThrottle(shared, {
      scope: 'y',
      clock,
      stateTtlMs: 0,
      limits: { perLoginAndAddress: 1 },
    })
    expect((await d.attempt('bob', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    await c.attempt('bob', '192.0.2.1', check('x'))
    expect((await d.attempt('bob', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
  })

  it('never reuses a read past the end of a window it saw', async () => {
    const clock = createManualClock()
    const { store, peeks } = countingStore(memoryRateLimitStore({ clock }))
    const t = new LoginThrottle(store, {
      scope: 'w',
      clock,
      limits: { perLoginAndAddress: 1, windowMs: 10_000 },
    })
    await t.attempt('alice', '192.0.2.1', check('x'))
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    const n = peeks()
    clock.advance(9_999)
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('refused')
    // The read just made ends with the window, one millisecond later, not a second later.
    clock.advance(1)
    expect((await t.attempt('alice', '192.0.2.1', check(PASSWORD))).status).toBe('ok')
    expect(peeks()).toBe(n + 2)
  })

  it('reads its options, with aliases, and names a bad variable', () => {
    expect(loginThrottleLimitsFrom({}, 'MAILFRONT_X_')).toEqual(DEFAULT_LOGIN_LIMITS)
    expect(
      loginThrottleLimitsFrom(
        { grant_attempts: '4', login_address_failures: '0', login_ceiling: '50', login_window_s: '60' },
        'MAILFRONT_X_',
        { grant_attempts: 'login_failures' },
      ),
    ).toEqual({
      ...DEFAULT_LOGIN_LIMITS,
      perLoginAndAddress: 4,
      perAddress: 0,
      perLogin: 50,
      windowMs: 60_000,
    })
    expect(() => loginThrottleLimitsFrom({ login_failures: 'ten' }, 'MAILFRONT_X_')).toThrow(
      'MAILFRONT_X_LOGIN_FAILURES must be a whole number, got "ten"',
    )
    expect(() => loginThrottleLimitsFrom({ login_window_s: '0' }, 'MAILFRONT_X_')).toThrow(
      'MAILFRONT_X_LOGIN_WINDOW_S must be a whole number ≥ 1, got "0"',
    )
  })
})
