import { describe, expect, it } from 'vitest'
import { retryDelay } from './outcome.ts'

describe('retryDelay', () => {
  it('doubles per failed attempt from the base, capped at the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, 60_000, 600_000))).toEqual([
      60_000, 120_000, 240_000, 480_000, 600_000,
    ])
  })
})
