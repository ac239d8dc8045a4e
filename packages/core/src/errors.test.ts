import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { ApiError, CORE_ERRORS, CoreErrorCodes, defineErrors, toApiError } from './errors.ts'
import { StoreUnavailableError } from './storage/unavailable.ts'

describe('defineErrors', () => {
  const errors = defineErrors({
    NOPE: { status: 401, message: 'Nope', code: 40101 },
    GONE: { status: 404, message: 'Gone' },
  })
  it('builds ApiErrors from the table, with overrides', () => {
    expect(errors.error('NOPE')).toMatchObject({ code: 'NOPE', status: 401, message: 'Nope' })
    const e = errors.error('GONE', { status: 410, message: 'Gone <id>', headers: { A: 'b' } })
    expect(e).toMatchObject({ code: 'GONE', status: 410, message: 'Gone <id>', headers: { A: 'b' } })
    expect(errors.has('NOPE')).toBe(true)
    expect(errors.has('toString')).toBe(false)
    expect(errors.status('GONE')).toBe(404)
    expect(errors.get('NOPE')).toMatchObject({ code: 40101 })
    expect(errors.get('ELSEWHERE')).toBeUndefined()
  })
  it('has a builder per code: the one throw idiom', () => {
    expect(errors.GONE({ details: { id: 1 } })).toMatchObject({
      code: 'GONE',
      status: 404,
      details: { id: 1 },
    })
    expect(errors.NOPE()).toBeInstanceOf(ApiError)
  })
  it("merges the core's codes in; the plugin's own entries win", () => {
    const own = defineErrors({ NOT_FOUND: { status: 404, message: '404 page not found' } })
    expect(Object.keys(own.table).sort()).toEqual(Object.keys(CORE_ERRORS).sort())
    expect(own.table.NOT_FOUND.message).toBe('404 page not found')
    expect(own.table.INTERNAL).toEqual(CORE_ERRORS.INTERNAL)
    expect(own.SERVICE_UNAVAILABLE()).toMatchObject({
      status: 503,
      message: CORE_ERRORS.SERVICE_UNAVAILABLE.message,
    })
    for (const code of Object.keys(CoreErrorCodes)) expect(errors.has(code)).toBe(true)
  })
  it('refuses a code that is not UPPER_SNAKE', () => {
    expect(() => defineErrors({ lower: { status: 400, message: 'x' } })).toThrow(/UPPER_SNAKE/)
  })
})

describe('toApiError', () => {
  it('keeps an ApiError, maps outages, HTTPExceptions and anything else', () => {
    const own = new ApiError('X', 400, 'x')
    expect(toApiError(own)).toBe(own)
    expect(toApiError(new StoreUnavailableError('sqlite', new Error('down')))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
    })
    expect(toApiError(new HTTPException(413))).toMatchObject({ code: 'BODY_TOO_LARGE', status: 413 })
    expect(toApiError(new HTTPException(400, { message: 'Malformed JSON' }))).toMatchObject({
      code: 'BAD_REQUEST',
      status: 400,
      message: 'Malformed JSON',
    })
    expect(toApiError(new HTTPException(502))).toMatchObject({ code: 'INTERNAL', status: 502 })
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', status: 500 })
  })
})
