import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post, runtime, tmailAdmin } from '../../test/demo-runtime.ts'
import type { Runtime } from '../runtime.ts'
import { fillPlaceholders } from './faults.ts'

describe('an injected error names what the request named', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())

  it("tmail's NO_SUCH_USER on /users/:login says which user, never `<login>`", async () => {
    const res = await post(rt, '/_mailfront/faults', {
      plugin: 'tmail',
      route: '/users/:login',
      error: 'NO_SUCH_USER',
    })
    expect(res.status).toBe(201)
    const got = await rt.app.request('/users/toorop@tmail.io', { headers: tmailAdmin })
    expect(got.status).toBe(404)
    expect(await got.json()).toEqual({ msg: 'no such user toorop@tmail.io', raw: '' })
    // On every request (no route to read the login from): the placeholder is dropped.
    await rt.app.request('/_mailfront/faults', { method: 'DELETE' })
    await post(rt, '/_mailfront/faults', { plugin: 'tmail', error: 'NO_SUCH_USER', count: 1 })
    expect(await (await rt.app.request('/users', { headers: tmailAdmin })).json()).toEqual({
      msg: 'no such user',
      raw: '',
    })
  })

  it('fills from the route template, decodes, drops what it cannot fill', () => {
    expect(fillPlaceholders('no such user <login>', '/users/:login', '/users/a%40b.c')).toBe(
      'no such user a@b.c',
    )
    expect(
      fillPlaceholders('unable to discard message <id>', '/queue/:id/discard', '/queue/42/discard'),
    ).toBe('unable to discard message 42')
    expect(fillPlaceholders('no such message <id>', undefined, '/x')).toBe('no such message')
    expect(fillPlaceholders('Too many requests')).toBe('Too many requests')
  })

  it('keeps a malformed %-sequence raw instead of throwing (no 500 from a fault)', () => {
    expect(fillPlaceholders('no such user <login>', '/users/:login', '/users/a%E0%A4%A')).toBe(
      'no such user a%E0%A4%A',
    )
  })
})
