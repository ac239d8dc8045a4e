import { describe, expect, it } from 'vitest'
import { goTime, RFC3339 } from './time.ts'

describe('goTime', () => {
  const t = Date.UTC(2015, 3, 11, 7, 3, 2, 737)
  it('prints the offset and trims the fraction like RFC3339Nano', () => {
    expect(goTime(t, 120)).toBe('2015-04-11T09:03:02.737+02:00')
    expect(goTime(t - 737 + 500, 120)).toBe('2015-04-11T09:03:02.5+02:00')
    expect(goTime(t - 737, 120)).toBe('2015-04-11T09:03:02+02:00')
  })
  it('uses Z for UTC and a minus sign west of it', () => {
    expect(goTime(t, 0)).toBe('2015-04-11T07:03:02.737Z')
    expect(goTime(t, -330)).toBe('2015-04-11T01:33:02.737-05:30')
  })
  it('uses the process zone by default and always matches RFC 3339', () => {
    expect(goTime(t)).toMatch(RFC3339)
    expect(RFC3339.test('0001-01-01T00:09:21+00:09')).toBe(true)
    expect(RFC3339.test('2015-04-11 09:03:02')).toBe(false)
  })
})
