/** Injectable time source: expiries, windows and resets are tested without sleeping. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export interface ManualClock extends Clock {
  set(ms: number | Date): void
  advance(ms: number): void
}

export function createManualClock(start: number | Date = Date.UTC(2026, 0, 1)): ManualClock {
  let t = typeof start === 'number' ? start : start.getTime()
  return {
    now: () => t,
    set: (ms) => {
      t = typeof ms === 'number' ? ms : ms.getTime()
    },
    advance: (ms) => {
      t += ms
    },
  }
}

/**
 * The system time plus an offset a test can move (POST /_mailfront/clock): expiries, windows and the
 * queue's schedule are reached by moving it, not by sleeping. Time still runs while moved.
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
}

export function createMovableClock(base: Clock = systemClock): MovableClock {
  let offset = 0
  return {
    now: () => base.now() + offset,
    advance: (ms) => {
      offset += ms
    },
    set: (at) => {
      offset = (typeof at === 'number' ? at : at.getTime()) - base.now()
    },
    reset: () => {
      offset = 0
    },
    offset: () => offset,
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
  if (/^-?\d+$/.test(t)) return Number(t)
  const m = /^(-?)((?:\d+(?:ms|s|m|h|d|w))+)$/.exec(t)
  if (!m) throw new RangeError(`"${text}" is not a duration (e.g. 31d, 1h30m, 90s, 500ms)`)
  let ms = 0
  for (const [, n, unit] of m[2]!.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(n) * UNIT_MS[unit!]!
  return m[1] ? -ms : ms
}
