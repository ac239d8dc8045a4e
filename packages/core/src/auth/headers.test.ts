import { describe, expect, it } from 'vitest'
import { encodeBasic, parseBasic, parseBearer } from './headers.ts'

describe('Basic and Bearer parsing', () => {
  it('parses Basic, splitting on the first colon', () => {
    expect(parseBasic(encodeBasic('user', 'pa:ss'))).toEqual({ username: 'user', password: 'pa:ss' })
    expect(parseBasic('basic ' + Buffer.from('u:').toString('base64'))).toEqual({
      username: 'u',
      password: '',
    })
  })
  it.each([
    undefined,
    '',
    'Basic',
    'Basic ',
    'Bearer abc',
    'Basic !!!!',
    'Basic dXNlcg==',
    'Basic dXNlcjpw=x',
    'Basic /w==',
    'Basicx dTpw',
  ])('never throws on %j', (h) => {
    expect(parseBasic(h)).toBeNull()
  })
  it('parses Bearer', () => {
    expect(parseBearer('Bearer a.b.c')).toBe('a.b.c')
    expect(parseBearer('bearer  tok ')).toBe('tok')
    expect(parseBearer('Bearer')).toBeNull()
    expect(parseBearer('Bearer a b')).toBeNull()
    expect(parseBearer('Basic x')).toBeNull()
  })
})
