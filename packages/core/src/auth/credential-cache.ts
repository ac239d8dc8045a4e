import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'

export interface CredentialCacheOptions {
  /** HMAC key, so the cache never holds a credential in clear. */
  secret: string
  /** At most 60 s. */
  ttlMs?: number
  maxEntries?: number
  clock?: Clock
}

/**
 * Remembers successful slow-hash verifications for a short time. The key is an HMAC of the credential
 * *and the stored hash*, so a password change (new stored hash) misses at once, on every instance.
 * Concurrent first requests with one credential share a single verification (single-flight).
 */
export class CredentialCache<T = true> {
  private readonly ttl: number
  private readonly max: number
  private readonly clock: Clock
  private readonly hits = new Map<string, { value: T; expires: number; subject: string }>()
  private readonly inflight = new Map<string, Promise<T | null>>()
  /** Made once: a string key would be turned into a key object on every request (≈ 17 µs). */
  private readonly hmacKey: KeyObject
  /** Slow verifications actually run (for tests and the bench). */
  slowCalls = 0

  constructor(opts: CredentialCacheOptions) {
    this.ttl = Math.min(opts.ttlMs ?? 60_000, 60_000)
    this.max = opts.maxEntries ?? 50_000
    this.clock = opts.clock ?? systemClock
    this.hmacKey = createSecretKey(Buffer.from(opts.secret, 'utf8'))
  }

  private key(parts: string[]): string {
    return createHmac('sha256', this.hmacKey).update(parts.join('\u0000')).digest('base64')
  }

  /** `subject` identifies the account (for invalidation); `stored` is its current stored hash. */
  verify(
    subject: string,
    password: string,
    stored: string,
    slow: () => Promise<T | null>,
  ): Promise<T | null> {
    const k = this.key([subject, password, stored])
    const hit = this.hits.get(k)
    const now = this.clock.now()
    if (hit && hit.expires > now) return Promise.resolve(hit.value)
    if (hit) this.hits.delete(k)
    const running = this.inflight.get(k)
    if (running) return running
    this.slowCalls++
    const p = slow()
      .then((value) => {
        if (value !== null) {
          if (this.hits.size >= this.max) this.hits.delete(this.hits.keys().next().value as string)
          this.hits.set(k, { value, expires: this.clock.now() + this.ttl, subject })
        }
        return value
      })
      .finally(() => this.inflight.delete(k))
    this.inflight.set(k, p)
    return p
  }

  /** Drop every entry of a subject (on password change; other instances miss via the stored hash). */
  invalidate(subject: string): void {
    for (const [k, v] of this.hits) if (v.subject === subject) this.hits.delete(k)
  }

  clear(): void {
    this.hits.clear()
  }
}
