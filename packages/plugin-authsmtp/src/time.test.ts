import { describe, expect, it } from 'vitest'
import { formatLondon, formatLondonWithOffset, londonToEpoch, nextAnniversaryAfter } from './time.ts'

describe('UK time', () => {
  it('uses +0000 before and +0100 after the spring change (2026-03-29 01:00 UTC)', () => {
    expect(formatLondonWithOffset(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe('2026-03-29 00:59:59 +0000')
    expect(formatLondonWithOffset(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe('2026-03-29 02:00:00 +0100')
  })
  it('uses +0100 before and +0000 after the autumn change (2026-10-25 01:00 UTC)', () => {
    expect(formatLondonWithOffset(Date.UTC(2026, 9, 25, 0, 59, 59))).toBe('2026-10-25 01:59:59 +0100')
    expect(formatLondonWithOffset(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe('2026-10-25 01:00:00 +0000')
  })
  it('converts UK wall-clock times back to epoch', () => {
    expect(londonToEpoch(2026, 6, 28)).toBe(Date.UTC(2026, 5, 27, 23))
    expect(londonToEpoch(2026, 1, 28)).toBe(Date.UTC(2026, 0, 28))
    expect(formatLondon(londonToEpoch(2026, 6, 28))).toBe('2026-06-28 00:00:00')
  })
  it('finds the next monthly anniversary, clamped to the month end', () => {
    const created = londonToEpoch(2025, 1, 31)
    expect(formatLondon(nextAnniversaryAfter(created, londonToEpoch(2026, 2, 10)))).toBe(
      '2026-02-28 00:00:00',
    )
    expect(formatLondon(nextAnniversaryAfter(created, londonToEpoch(2026, 3, 31)))).toBe(
      '2026-04-30 00:00:00',
    )
    expect(
      formatLondon(nextAnniversaryAfter(londonToEpoch(2025, 1, 28), londonToEpoch(2026, 12, 28, 0, 0, 1))),
    ).toBe('2027-01-28 00:00:00')
  })
})
