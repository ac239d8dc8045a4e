/** Injectable time source: expiries, windows and resets are tested without sleeping. */
export interface Clock {
  now(): number
  /**
   * Resolves once `now()` has reached `t` (at once when it already has); rejects with the signal's
   * reason when it is aborted first. A clock that can be moved wakes its sleepers when moved, so a
   * test moves it and awaits instead of sleeping. Optional: `sleepUntil(clock, t)` works on any clock.
   */
  sleepUntil?(t: number, signal?: AbortSignal): Promise<void>
}

/** setTimeout's longest delay; a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Wait for the first of: the clock moved (a waker in `movers`), `base` resolving (real time passing;
 * none: only a move wakes it), or the signal (rejects with its reason). Never leaves a timer behind.
 */
function nap(
  movers: Set<() => void>,
  base: ((signal: AbortSignal) => Promise<void>) | null,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const inner = new AbortController()
    const end = () => {
      movers.delete(wake)
      signal?.removeEventListener('abort', abort)
      inner.abort()
    }
    const wake = () => {
      end()
      resolve()
    }
    const abort = () => {
      end()
      reject(signal!.reason)
    }
    movers.add(wake)
    signal?.addEventListener('abort', abort, { once: true })
    // The base wait is ended by `inner` when something else came first: that rejection is expected.
    base?.(inner.signal).then(wake, (err) => {
      if (inner.signal.aborted) return
      end()
      reject(err)
    })
  })
}

/** A real timer of `ms` (capped to setTimeout's range), ended early by the signal. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(done, Math.min(Math.max(ms, 0), MAX_TIMER_MS))
    function done() {
      signal.removeEventListener('abort', abort)
      resolve()
    }
    function abort() {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', abort, { once: true })
  })
}

/** Sleep until `now()` reaches `t`, each nap re-checked: moves and early timers cannot end it too soon. */
async function sleepLoop(
  now: () => number,
  t: number,
  movers: Set<() => void>,
  base: ((t: number, signal: AbortSignal) => Promise<void>) | null,
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted()
  while (now() < t) await nap(movers, base && ((s) => base(t, s)), signal)
}

/**
 * Sleep until `clock` reaches `t`: its own `sleepUntil` when it has one, otherwise real timers for the
 * time left, checked again when they fire (a clock that cannot be waited on is not woken by a move).
 */
export function sleepUntil(clock: Clock, t: number, signal?: AbortSignal): Promise<void> {
  if (clock.sleepUntil) return clock.sleepUntil(t, signal)
  const now = () => clock.now()
  return sleepLoop(now, t, new Set(), realTime(now), signal)
}

/** Waits on real timers for the time `now` has left to `t`. */
const realTime = (now: () => number) => (t: number, signal: AbortSignal) => delay(t - now(), signal)

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (t, signal) => sleepLoop(Date.now, t, new Set(), realTime(Date.now), signal),
}

export interface ManualClock extends Clock {
  set(ms: number | Date): void
  advance(ms: number): void
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>
}

/** A clock that stands still until set or advanced; its sleepers wake only when it is moved. */
export function createManualClock(start: number | Date = Date.UTC(2026, 0, 1)): ManualClock {
  let t = typeof start === 'number' ? start : start.getTime()
  const movers = new Set<() => void>()
  const moved = () => {
    for (const wake of [...movers]) wake()
  }
  return {
    now: () => t,
    set: (ms) => {
      t = typeof ms === 'number' ? ms : ms.getTime()
      moved()
    },
    advance: (ms) => {
      t += ms
      moved()
    },
    sleepUntil: (until, signal) => sleepLoop(() => t, until, movers, null, signal),
  }
}

/**
 * The system time plus an offset a test can move (POST /_mailfront/clock): expiries, windows and the
 * queue's schedule are reached by moving it, not by sleeping. Time still runs while moved. Its
 * sleepers wake when it is moved (forward: at once if past their time; back: they sleep on) and
 * otherwise as the base clock reaches their time less the offset.
 */
export interface MovableClock extends Clock {
  /** Move forward (or back, negative) by ms. */
  advance(ms: number): void
  /** Jump to this instant; time runs on from there. */
  set(at: number | Date): void
  /** Back to the system time. */
  reset(): void
  /** How far the clock is from the system time, in ms. */
  offset(): number
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>
}

export function createMovableClock(base: Clock = systemClock): MovableClock {
  let offset = 0
  const movers = new Set<() => void>()
  const moveTo = (next: number) => {
    offset = next
    for (const wake of [...movers]) wake()
  }
  const now = () => base.now() + offset
  return {
    now,
    advance: (ms) => moveTo(offset + ms),
    set: (at) => moveTo((typeof at === 'number' ? at : at.getTime()) - base.now()),
    reset: () => moveTo(0),
    offset: () => offset,
    sleepUntil: (t, signal) => sleepLoop(now, t, movers, (t, s) => sleepUntil(base, t - offset, s), signal),
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/**
 * `31d`, `1h30m`, `90s`, `-2h`, `500ms` (units ms, s, m, h, d, w) to milliseconds; a bare number is ms.
 * Throws RangeError on anything else.
 */
export function parseDuration(text: string): number {
  const t = text.trim()
  // A bare number other than 0 is refused: "5" read as 5 ms surprised people who meant seconds.
  if (/^-?0+$/.test(t)) return 0
  const m = /^(-?)((?:\d+(?:ms|s|m|h|d|w))+)$/.exec(t)
  if (!m) throw new RangeError(`"${text}" is not a duration (e.g. 31d, 1h30m, 90s, 500ms)`)
  let ms = 0
  for (const [, n, unit] of m[2]!.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(n) * UNIT_MS[unit!]!
  return m[1] ? -ms : ms
}
