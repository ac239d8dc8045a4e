import { ApiError, z } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { alsoAccepts, decodeGoBody, goBool, goString } from './body.ts'
import { rawOf } from './errors.ts'

const STRUCT = z.object({
  Passwd: goString(),
  AuthRelay: goBool(),
  IsCatchall: alsoAccepts(goBool(), 'isCathall'),
})
const decode = (t: string) => decodeGoBody(t, STRUCT)
/** What decoding threw: tmail's BAD_JSON (400), Go's text as `raw`. */
function failure(run: () => unknown): { code: string; status: number; raw: string } {
  try {
    run()
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    return { code: e.code, status: e.status, raw: rawOf(e) }
  }
  throw new Error('no error')
}
const badJson = (raw: string) => ({ code: 'BAD_JSON', status: 400, raw })

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
    expect(failure(() => decode(''))).toEqual(badJson('EOF'))
  })
  it('reports malformed JSON, a non-object and a wrong type', () => {
    expect(failure(() => decode('{"passwd":'))).toMatchObject({ code: 'BAD_JSON', status: 400 })
    expect(failure(() => decode('[1]'))).toEqual(
      badJson('json: cannot unmarshal array into Go value of type struct'),
    )
    expect(failure(() => decode('{"authRelay":"yes"}'))).toEqual(
      badJson('json: cannot unmarshal string into Go struct field .AuthRelay of type bool'),
    )
    expect(failure(() => decode('{"passwd":12}'))).toEqual(
      badJson('json: cannot unmarshal number into Go struct field .Passwd of type string'),
    )
  })
  it('names the Go field (first letter upper-cased) and reports the first wrong type in document order', () => {
    const lower = z.object({ passwd: goString(), authRelay: goBool() })
    expect(failure(() => decodeGoBody('{"authRelay":"yes","passwd":12}', lower))).toEqual(
      badJson('json: cannot unmarshal string into Go struct field .AuthRelay of type bool'),
    )
    expect(failure(() => decodeGoBody('{"passwd":12,"authRelay":"yes"}', lower))).toEqual(
      badJson('json: cannot unmarshal number into Go struct field .Passwd of type string'),
    )
  })
})
