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
