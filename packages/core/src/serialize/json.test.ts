import { describe, expect, it } from 'vitest'
import { parseJson, stringifyJson } from './json.ts'

describe('JSON with 64-bit integers', () => {
  it('writes bigint as plain digits', () => {
    expect(stringifyJson({ a: 5000000000000n, b: -(2n ** 63n), c: 1 })).toBe(
      '{"a":5000000000000,"b":-9223372036854775808,"c":1}',
    )
  })
  it('parses integers beyond 2^53 as bigint, safe ones as number', () => {
    const v = parseJson(
      '{"big": 9223372036854775807, "small": 42, "f": 1.5e3, "s": "12345678901234567890", "arr":[18446744073709551615]}',
    ) as any
    expect(v.big).toBe(9223372036854775807n)
    expect(v.small).toBe(42)
    expect(v.f).toBe(1500)
    expect(v.s).toBe('12345678901234567890')
    expect(v.arr[0]).toBe(18446744073709551615n)
  })
  it('round-trips', () => {
    const v = { q: 4294967296n * 4294967296n, t: 'x"y', n: null }
    expect(parseJson(stringifyJson(v))).toEqual(v)
  })
  it('rejects malformed input in both paths', () => {
    expect(() => parseJson('{"a":')).toThrow(SyntaxError)
    expect(() => parseJson('{"a": 12345678901234567890,}')).toThrow(SyntaxError)
  })
  it('does not confuse a string that looks like the marker', () => {
    expect(stringifyJson({ s: 'big:1', n: 1n })).toBe('{"s":"big:1","n":1}')
  })
})
