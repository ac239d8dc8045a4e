import { describe, expect, it } from 'vitest'
import { backoffDelay } from './host.ts'

describe('backoffDelay', () => {
  it('starts at the first delay and doubles after each further failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 1_000, 10_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ])
  })

  it('stays finite and capped for a very large retry count, and never goes below the first delay', () => {
    expect(backoffDelay(10_000, 1_000, 3_600_000)).toBe(3_600_000)
    expect(backoffDelay(0, 1_000, 10_000)).toBe(1_000)
  })
})
