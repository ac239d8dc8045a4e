import { z } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { alsoAccepts, BodyError, decodeGoBody, goBool, goString } from './body.ts'

const STRUCT = z.object({
  Passwd: goString(),
  AuthRelay: goBool(),
  IsCatchall: alsoAccepts(goBool(), 'isCathall'),
})
const decode = (t: string) => decodeGoBody(t, STRUCT)

describe('decodeGoBody', () => {
  it('matches keys case-insensitively and accepts the misspelled alias', () => {
    expect(decode('{"passwd":"x","AUTHRELAY":true,"isCathall":true}')).toEqual({
      Passwd: 'x',
      AuthRelay: true,
      IsCatchall: true,
    })
    expect(decode('{"isCatchall":true}').IsCatchall).toBe(true)
  })
  it('ignores unknown keys and leaves null fields at their zero value', () => {
    expect(decode('{"nope":1,"passwd":null}')).toEqual({ Passwd: '', AuthRelay: false, IsCatchall: false })
  })
  it('reports an empty body as EOF, like Go', () => {
    expect(() => decode('')).toThrow(new BodyError('EOF'))
  })
  it('reports malformed JSON, a non-object and a wrong type', () => {
    expect(() => decode('{"passwd":')).toThrow(BodyError)
    expect(() => decode('[1]')).toThrow('json: cannot unmarshal array into Go value of type struct')
    expect(() => decode('{"authRelay":"yes"}')).toThrow(
      'json: cannot unmarshal string into Go struct field .AuthRelay of type bool',
    )
    expect(() => decode('{"passwd":12}')).toThrow(
      'json: cannot unmarshal number into Go struct field .Passwd of type string',
    )
  })
  it('names the Go field (first letter upper-cased) and reports the first wrong type in document order', () => {
    const lower = z.object({ passwd: goString(), authRelay: goBool() })
    expect(() => decodeGoBody('{"authRelay":"yes","passwd":12}', lower)).toThrow(
      'json: cannot unmarshal string into Go struct field .AuthRelay of type bool',
    )
    expect(() => decodeGoBody('{"passwd":12,"authRelay":"yes"}', lower)).toThrow(
      'json: cannot unmarshal number into Go struct field .Passwd of type string',
    )
  })
})
