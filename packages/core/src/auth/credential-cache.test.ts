import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { CredentialCache } from './credential-cache.ts'

describe('CredentialCache', () => {
  it('single-flight: concurrent first requests pay one slow verification', async () => {
    const cache = new CredentialCache({ secret: 'k' })
    let calls = 0
    const slow = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 20))
      return true as const
    }
    const results = await Promise.all(
      Array.from({ length: 50 }, () => cache.verify('u', 'pw', 'hash1', slow)),
    )
    expect(results.every((r) => r === true)).toBe(true)
    expect(calls).toBe(1)
    expect(cache.slowCalls).toBe(1)
  })
  it('expires after the TTL (capped at 60 s), misses on a new stored hash, and is invalidated', async () => {
    const clock = createManualClock()
    const cache = new CredentialCache({ secret: 'k', ttlMs: 600_000, clock })
    let calls = 0
    const slow = async () => {
      calls++
      return true as const
    }
    await cache.verify('u', 'pw', 'h', slow)
    await cache.verify('u', 'pw', 'h', slow)
    expect(calls).toBe(1)
    clock.advance(60_001)
    await cache.verify('u', 'pw', 'h', slow)
    expect(calls).toBe(2)
    await cache.verify('u', 'pw', 'h2', slow)
    expect(calls).toBe(3)
    cache.invalidate('u')
    await cache.verify('u', 'pw', 'h2', slow)
    expect(calls).toBe(4)
  })
  it('does not remember failures', async () => {
    const cache = new CredentialCache({ secret: 'k' })
    let calls = 0
    const slow = async () => {
      calls++
      return null
    }
    await cache.verify('u', 'bad', 'h', slow)
    await cache.verify('u', 'bad', 'h', slow)
    expect(calls).toBe(2)
  })
})
