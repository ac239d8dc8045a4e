import { describe, expect, it } from 'vitest'
import { createManualClock, createMovableClock, parseDuration } from './clock.ts'

describe('movable clock', () => {
  it('is the base time plus an offset that advance, set and reset move', () => {
    const base = createManualClock(Date.parse('2026-01-01T00:00:00Z'))
    const c = createMovableClock(base)
    expect(c.now()).toBe(base.now())
    c.advance(parseDuration('31d'))
    expect(new Date(c.now()).toISOString()).toBe('2026-02-01T00:00:00.000Z')
    base.advance(1000) // time still runs while moved
    expect(new Date(c.now()).toISOString()).toBe('2026-02-01T00:00:01.000Z')
    c.set(new Date('2030-05-05T05:05:05Z'))
    expect(new Date(c.now()).toISOString()).toBe('2030-05-05T05:05:05.000Z')
    expect(c.offset()).toBe(Date.parse('2030-05-05T05:05:05Z') - base.now())
    c.reset()
    expect(c.now()).toBe(base.now())
    expect(c.offset()).toBe(0)
  })
})

describe('parseDuration', () => {
  it.each([
    ['31d', 31 * 86_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['2w', 14 * 86_400_000],
    ['-2h', -7_200_000],
    ['1500', 1500],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', 'd', '3 days', '1.5h', '1y', 'h1'])('refuses %j', (text) =>
    expect(() => parseDuration(text)).toThrow(RangeError),
  )
})
