import { describe, expect, it } from 'vitest'
import { DEFAULT_SCHEDULE, retryDelayMs } from './schedule.ts'

describe('the webhook retry schedule', () => {
  it('doubles from 10 s, at most 1 h, and stops after the last of 8 attempts', () => {
    const waits = Array.from({ length: DEFAULT_SCHEDULE.maxAttempts }, (_, i) => retryDelayMs(i + 1))
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, null])
  })

  it('caps each wait and bounds the attempts as configured', () => {
    const s = { maxAttempts: 30, firstRetryMs: 1_000, maxRetryMs: 60_000 }
    expect(retryDelayMs(1, s)).toBe(1_000)
    expect(retryDelayMs(6, s)).toBe(32_000)
    expect(retryDelayMs(7, s)).toBe(60_000)
    expect(retryDelayMs(29, s)).toBe(60_000)
    expect(retryDelayMs(30, s)).toBeNull()
    expect(retryDelayMs(1, { ...s, maxAttempts: 1 })).toBeNull()
  })
})
