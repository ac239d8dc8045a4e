import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import { retryAfterSeconds } from '../ratelimit/consume.ts'
import type { RateLimitStore, WindowState } from '../ratelimit/types.ts'
import { sha256Hex } from './secrets.ts'

/**
 * The login throttle every plugin uses (ASVS 2.2.1: resist brute force and lockout alike).
 *
 * Only failures count. Before a credential is checked, the attempt is refused when, in the window:
 * - its (login, client address) pair has `perLoginAndAddress` failures (stops guessing one account), or
 * - its client address has `perAddress` failures over all logins (stops spraying many accounts), or
 * - its login has `perLogin` failures over all addresses (stops a distributed guess), *unless* the
 *   address is one this login succeeded from in the last `knownAddressMs`: a stranger's failures from
 *   elsewhere never lock a user out of the address they use.
 * A successful check counts nothing (it only remembers the address as known, one write per 30 days).
 *
 * Concurrent attempts on one instance cannot outrun the count: an attempt waits while the failures
 * already counted plus the attempts in flight reach a limit, so a burst of guesses is checked no more
 * often than the limit allows. Counters live in the RateLimitStore (memory, the database or Redis), so
 * the limits hold across instances.
 *
 * What the store showed for a (login, address) pair is remembered on this instance for at most one
 * second (`stateTtlMs`), so a client that keeps logging in right does not read the store on every
 * request. Any failure on this instance forgets all of it at once, and a read that a failure overtook
 * is not kept: this instance's own counting is exact. Failures counted by *other* instances are seen
 * here within that second.
 */
export interface LoginThrottleLimits {
  /** Failures of one login from one address before that pair is refused; 0 turns the rule off. */
  perLoginAndAddress: number
  /** Failures from one address over all logins before the address is refused; 0: off. */
  perAddress: number
  /** Failures of one login over all addresses before unknown addresses are refused; 0: off. */
  perLogin: number
  /** The fixed window the failures are counted in. */
  windowMs: number
  /** How long a successful address stays exempt from the per-login ceiling. */
  knownAddressMs: number
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = {
  perLoginAndAddress: 10,
  perAddress: 100,
  perLogin: 1000,
  windowMs: 15 * 60_000,
  knownAddressMs: 30 * 86_400_000,
}

export type LoginOutcome<T> =
  | { status: 'ok'; value: T }
  | { status: 'failed' }
  | { status: 'refused'; retryAfterS: number }

/** Option names (lower case, as `PluginContext.options` has them) and what they set. */
export const LOGIN_THROTTLE_OPTIONS = {
  login_failures: 'perLoginAndAddress',
  login_address_failures: 'perAddress',
  login_ceiling: 'perLogin',
  login_window_s: 'windowMs',
} as const

/**
 * Read a plugin's throttle options (`MAILFRONT_<PLUGIN>_LOGIN_FAILURES`, `…_LOGIN_ADDRESS_FAILURES`,
 * `…_LOGIN_CEILING`, `…_LOGIN_WINDOW_S`); `aliases` maps older option names of a plugin to new ones.
 * A bad value throws, naming the variable.
 */
export function loginThrottleLimitsFrom(
  options: Record<string, string | undefined>,
  envPrefix: string,
  aliases: Record<string, keyof typeof LOGIN_THROTTLE_OPTIONS> = {},
): LoginThrottleLimits {
  const limits = { ...DEFAULT_LOGIN_LIMITS }
  const given: Record<string, [string, string]> = {}
  for (const [old, name] of Object.entries(aliases))
    if (options[old] !== undefined) given[name] = [old, options[old]!]
  for (const name of Object.keys(LOGIN_THROTTLE_OPTIONS))
    if (options[name] !== undefined) given[name] = [name, options[name]!]
  for (const [name, [source, v]] of Object.entries(given)) {
    const isWindow = name === 'login_window_s'
    if (!/^\d+$/.test(v) || (isWindow && Number(v) < 1))
      throw new Error(
        `${envPrefix}${source.toUpperCase()} must be a whole number${isWindow ? ' ≥ 1' : ''}, got "${v}"`,
      )
    const key = LOGIN_THROTTLE_OPTIONS[name as keyof typeof LOGIN_THROTTLE_OPTIONS]
    limits[key] = isWindow ? Number(v) * 1000 : Number(v)
  }
  return limits
}

/** Logins are compared case-insensitively; a long one is keyed by its hash (bounded key size). */
function loginKey(login: string): string {
  const l = login.trim().toLowerCase()
  return l.length <= 128 ? l : `sha256:${sha256Hex(l)}`
}

/** Attempts in flight on this instance, per key; waiters are woken one at a time, in order. */
class InFlight {
  private readonly counts = new Map<string, number>()
  private readonly waiters = new Map<string, (() => void)[]>()
  get(key: string): number {
    return this.counts.get(key) ?? 0
  }
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1)
  }
  done(key: string): void {
    const n = this.get(key) - 1
    if (n > 0) this.counts.set(key, n)
    else this.counts.delete(key)
    this.wakeOne(key)
  }
  /** Let the next waiter look again (a freed slot, or a waiter that left without taking one). */
  wakeOne(key: string): void {
    const w = this.waiters.get(key)
    const next = w?.shift()
    if (w && !w.length) this.waiters.delete(key)
    next?.()
  }
  /** Resolves when it is this waiter's turn to look again. */
  wait(key: string): Promise<void> {
    return new Promise((resolve) => {
      const w = this.waiters.get(key)
      if (w) w.push(resolve)
      else this.waiters.set(key, [resolve])
    })
  }
}

/** The longest a store read is reused on one instance (failures elsewhere are seen within it). */
export const LOGIN_STATE_MAX_TTL_MS = 1_000

export interface LoginThrottleOptions {
  /** Keys are namespaced by it (the plugin id). */
  scope: string
  /** How long one instance reuses a store read of a pair's windows; at most (default) 1 s, 0: never. */
  stateTtlMs?: number
  /** Pairs remembered at most (the oldest is dropped first). */
  maxStates?: number
  limits?: Partial<LoginThrottleLimits>
  clock?: Clock
  /** Called on each refusal (metrics). */
  onRefused?: () => void
}

type Keys = { pair: string; address: string; login: string; known: string }
/** A pair's four windows as last read, until when they may be reused, and its store keys. */
type Remembered = { until: number; windows: WindowState[]; keys: Keys }

export class LoginThrottle {
  readonly limits: LoginThrottleLimits
  private readonly clock: Clock
  private readonly inflight = new InFlight()
  private readonly stateTtl: number
  private readonly maxStates: number
  /** Per client address, per login (as keyed): what the store last showed for that pair. */
  private readonly states = new Map<string, Map<string, Remembered>>()
  private stateCount = 0
  /** Bumped by every failure on this instance: a read started before one is not remembered. */
  private failures = 0

  constructor(
    private readonly store: RateLimitStore,
    private readonly opts: LoginThrottleOptions,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...opts.limits }
    this.clock = opts.clock ?? systemClock
    this.stateTtl = Math.max(0, Math.min(opts.stateTtlMs ?? LOGIN_STATE_MAX_TTL_MS, LOGIN_STATE_MAX_TTL_MS))
    this.maxStates = opts.maxStates ?? 10_000
  }

  /** The pair's remembered read when still fresh (a stale one is dropped). */
  private fresh(address: string, l: string, now: number): Remembered | undefined {
    const byLogin = this.states.get(address)
    const hit = byLogin?.get(l)
    if (!hit) return undefined
    if (hit.until > now) return hit
    byLogin!.delete(l)
    this.stateCount--
    if (!byLogin!.size) this.states.delete(address)
    return undefined
  }

  /** The pair's windows: remembered from a read less than `stateTtl` ago, or read from the store. */
  private async windows(address: string, l: string, k: Keys): Promise<WindowState[]> {
    const now = this.clock.now()
    const hit = this.fresh(address, l, now)
    if (hit) return hit.windows
    const generation = this.failures
    const windows = await this.store.peek([k.pair, k.address, k.login, k.known])
    if (this.stateTtl > 0 && generation === this.failures) this.remember(address, l, k, windows, now)
    return windows
  }

  private remember(address: string, l: string, keys: Keys, windows: WindowState[], now: number) {
    // Never past the end of a live window: a count that drops to 0 or a known address that expires.
    let until = now + this.stateTtl
    for (const w of windows) if (w.resetAt > 0) until = Math.min(until, w.resetAt)
    if (until <= now) return
    let byLogin = this.states.get(address)
    if (byLogin?.delete(l)) this.stateCount--
    if (this.stateCount >= this.maxStates) {
      // The address remembered first goes (with its logins).
      const [oldest, logins] = this.states.entries().next().value as [string, Map<string, Remembered>]
      this.stateCount -= logins.size
      this.states.delete(oldest)
      if (oldest === address) byLogin = undefined
    }
    if (!byLogin) {
      byLogin = new Map()
      this.states.set(address, byLogin)
    }
    byLogin.set(l, { until, windows, keys })
    this.stateCount++
  }

  private keys(l: string, address: string): Keys {
    const p = `login:${this.opts.scope}`
    return {
      pair: `${p}:pair:${address}:${l}`,
      address: `${p}:addr:${address}`,
      login: `${p}:login:${l}`,
      known: `${p}:known:${address}:${l}`,
    }
  }

  /**
   * Check a credential under the throttle. `check` answers the principal, or null for a wrong
   * credential (unknown login included: it must cost and answer the same as a wrong password).
   * A refusal never runs `check`.
   */
  attempt<T>(login: string, address: string, check: () => Promise<T | null>): Promise<LoginOutcome<T>> {
    const l = loginKey(login)
    const hit = this.fresh(address, l, this.clock.now())
    if (hit && this.clear(hit)) return this.fastAttempt(hit, check)
    return this.slowAttempt(l, address, check)
  }

  /**
   * Whether a remembered pair may skip the store and the waiting: under every limit with the attempts
   * in flight counted, and its address already known (a success then writes nothing).
   */
  private clear(hit: Remembered): boolean {
    const L = this.limits
    const [pair, addr, perLogin, known] = hit.windows as [WindowState, WindowState, WindowState, WindowState]
    if (L.perLoginAndAddress > 0 && pair.count + this.inflight.get(hit.keys.pair) >= L.perLoginAndAddress)
      return false
    if (L.perAddress > 0 && addr.count + this.inflight.get(hit.keys.address) >= L.perAddress) return false
    if (L.perLogin > 0 && (known.count === 0 || perLogin.count >= L.perLogin)) return false
    return true
  }

  /** The fast path: no store read, no key built, no await before `check` (its keys were kept). */
  private fastAttempt<T>(hit: Remembered, check: () => Promise<T | null>): Promise<LoginOutcome<T>> {
    const L = this.limits
    const k = hit.keys
    const pairGated = L.perLoginAndAddress > 0
    const addrGated = L.perAddress > 0
    if (pairGated) this.inflight.add(k.pair)
    if (addrGated) this.inflight.add(k.address)
    const done = () => {
      if (pairGated) this.inflight.done(k.pair)
      if (addrGated) this.inflight.done(k.address)
    }
    let p: Promise<T | null>
    try {
      p = check()
    } catch (e) {
      done()
      return Promise.reject(e)
    }
    return p.then(
      (value): LoginOutcome<T> | Promise<LoginOutcome<T>> => {
        if (value !== null) {
          done()
          return { status: 'ok', value }
        }
        return this.failed(k).then(
          () => {
            done()
            return { status: 'failed' as const }
          },
          (e) => {
            done()
            throw e
          },
        )
      },
      (e) => {
        done()
        throw e
      },
    )
  }

  private async slowAttempt<T>(
    l: string,
    address: string,
    check: () => Promise<T | null>,
  ): Promise<LoginOutcome<T>> {
    const L = this.limits
    const k = this.keys(l, address)
    const gated: [key: string, max: number][] = []
    if (L.perLoginAndAddress > 0) gated.push([k.pair, L.perLoginAndAddress])
    if (L.perAddress > 0) gated.push([k.address, L.perAddress])
    let known: WindowState
    let waited = false
    for (;;) {
      const [pair, addr, perLogin, knownState] = await this.windows(address, l, k).catch((e) => {
        if (waited) for (const [key] of gated) this.inflight.wakeOne(key)
        throw e
      })
      known = knownState!
      const over: WindowState[] = []
      if (L.perLoginAndAddress > 0 && pair!.count >= L.perLoginAndAddress) over.push(pair!)
      if (L.perAddress > 0 && addr!.count >= L.perAddress) over.push(addr!)
      if (L.perLogin > 0 && perLogin!.count >= L.perLogin && known.count === 0) over.push(perLogin!)
      if (over.length) {
        // A woken waiter that leaves hands its turn on, or the ones behind it would sleep on.
        if (waited) for (const [key] of gated) this.inflight.wakeOne(key)
        this.opts.onRefused?.()
        const resetAt = Math.max(...over.map((w) => w.resetAt))
        return { status: 'refused', retryAfterS: retryAfterSeconds(resetAt, this.clock.now()) }
      }
      // Counted failures plus attempts in flight must stay under each limit; else wait and look again.
      const counted = new Map([
        [k.pair, pair!.count],
        [k.address, addr!.count],
      ])
      const busy = gated.find(([key, max]) => counted.get(key)! + this.inflight.get(key) >= max)
      if (!busy) break
      await this.inflight.wait(busy[0])
      waited = true
    }
    for (const [key] of gated) this.inflight.add(key)
    try {
      const value = await check()
      if (value === null) {
        await this.failed(k)
        return { status: 'failed' }
      }
      if (known.count === 0 && L.perLogin > 0) {
        const r = await this.store.consume(k.known, {
          windowMs: L.knownAddressMs,
          max: Number.MAX_SAFE_INTEGER,
        })
        // The remembered read now shows the address as known (one write, not one per request).
        const hit = this.states.get(address)?.get(l)
        if (hit) hit.windows = [...hit.windows.slice(0, 3), { count: 1, resetAt: r.resetAt }]
      }
      return { status: 'ok', value }
    } finally {
      for (const [key] of gated) this.inflight.done(key)
    }
  }

  private async failed(k: Keys) {
    // Every remembered read may now be short of a failure: forget them all, now and again once the
    // failure is counted (a read made while it was being written may have missed it).
    this.forget()
    const w = { windowMs: this.limits.windowMs, max: Number.MAX_SAFE_INTEGER }
    try {
      await Promise.all([k.pair, k.address, k.login].map((key) => this.store.consume(key, w)))
    } finally {
      this.forget()
    }
  }

  private forget() {
    this.failures++
    this.states.clear()
    this.stateCount = 0
  }
}
