import { encodeBasic } from '@mailfront/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { authsmtpAuth, mailboxRpc, post, runtime } from '../../test/demo-runtime.ts'
import { loadConfig } from '../config.ts'
import type { Runtime } from '../runtime.ts'

// The movable clock: POST /_mailfront/clock moves the one clock every rule reads, so each rule below
// is reached by moving it, never by sleeping.

const DAY = 86_400_000
const at = async (rt: Runtime) =>
  (await (await rt.app.request('/_mailfront/clock')).json()) as {
    now: string
    movable: boolean
    offsetMs: number
  }
const move = async (rt: Runtime, body: unknown) => {
  const res = await post(rt, '/_mailfront/clock', body)
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as { now: string; offsetMs: number }
}

describe('MAILFRONT_CLOCK', () => {
  it('auto: movable on a loopback address only', () => {
    expect(loadConfig({ MAILFRONT_HOST: '127.0.0.1' }).clock).toBe('movable')
    expect(loadConfig({ MAILFRONT_HOST: '0.0.0.0' }).clock).toBe('system')
    expect(loadConfig({ MAILFRONT_HOST: '0.0.0.0', MAILFRONT_CLOCK: 'movable' }).clock).toBe('movable')
    expect(loadConfig({ MAILFRONT_HOST: '127.0.0.1', MAILFRONT_CLOCK: 'system' }).clock).toBe('system')
    expect(() => loadConfig({ MAILFRONT_CLOCK: 'fast' })).toThrow(
      'MAILFRONT_CLOCK must be auto, system or movable',
    )
  })

  it('system: GET shows the time, POST answers 409', async () => {
    const rt = await runtime({ MAILFRONT_CLOCK: 'system' })
    try {
      const c = await at(rt)
      expect(c.movable).toBe(false)
      expect(Math.abs(Date.parse(c.now) - Date.now())).toBeLessThan(60_000)
      const res = await post(rt, '/_mailfront/clock', { advance: '1d' })
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual({
        error: 'the clock is not movable: start with MAILFRONT_CLOCK=movable',
      })
    } finally {
      await rt.close()
    }
  })
})

describe('POST /_mailfront/clock', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime({
      MAILFRONT_CLOCK: 'movable',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '20',
      MAILFRONT_MAILBOXORG_AUTH_ATTEMPTS: '3',
    })
  })
  afterAll(() => rt.close())
  beforeEach(async () => {
    await move(rt, { reset: true })
  })

  it('advances, sets and resets; GET shows it', async () => {
    expect((await at(rt)).offsetMs).toBe(0)
    const a = await move(rt, { advance: '31d' })
    expect(a.offsetMs).toBe(31 * DAY)
    expect(Date.parse(a.now) - Date.now()).toBeGreaterThan(31 * DAY - 60_000)
    const s = await move(rt, { set: '2030-01-01T00:00:00Z' })
    expect(s.now.startsWith('2030-01-01T00:00:')).toBe(true)
    expect((await at(rt)).now.startsWith('2030-01-01T00:')).toBe(true)
    expect((await move(rt, { reset: true })).offsetMs).toBe(0)
  })

  it.each([
    [{ advance: 'soon' }, '"soon" is not a duration (e.g. 31d, 1h30m, 90s, 500ms)'],
    [
      { set: '2030-01-01' },
      'set: "2030-01-01" is not an ISO instant with a zone (e.g. 2027-01-01T00:00:00Z)',
    ],
    [
      { advance: '1d', reset: true },
      'give one of {"advance": "31d"}, {"set": "<ISO instant>"}, {"reset": true}',
    ],
    [{}, 'give one of {"advance": "31d"}, {"set": "<ISO instant>"}, {"reset": true}'],
    ['not json', 'the body must be JSON'],
    [
      { advance: '99999999999w' },
      'advance: "99999999999w" would put the clock more than 100 years from the real time',
    ],
    [{ advance: '-36600d' }, 'advance: "-36600d" would put the clock more than 100 years from the real time'],
    [
      { set: '2999-01-01T00:00:00Z' },
      'set: "2999-01-01T00:00:00Z" would put the clock more than 100 years from the real time',
    ],
  ])('refuses %j', async (body, error) => {
    const res = await post(rt, '/_mailfront/clock', body)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error })
  })

  it('still answers after a refused far move', async () => {
    await post(rt, '/_mailfront/clock', { advance: '99999999999w' })
    const res = await rt.app.request('/_mailfront/clock')
    expect(res.status).toBe(200)
    expect((await res.json()).offsetMs).toBe(0)
  })

  it('a reset of the server puts the clock back', async () => {
    await move(rt, { advance: '2d' })
    await post(rt, '/_mailfront/reset')
    expect((await at(rt)).offsetMs).toBe(0)
  })

  describe('each rule reads it', () => {
    const smtpd = (path: string, auth: string) =>
      rt.app.request(path, { method: 'POST', headers: { Authorization: auth } })
    const grant = async () =>
      (await (
        await smtpd(
          '/oauth/token?grant_type=password',
          encodeBasic('jack.truong@example.com', 'demo-password'),
        )
      ).json()) as { access_token: string; refresh_token: string }
    const me = async (token: string) =>
      (await rt.app.request('/oauth/me', { headers: { Authorization: `Bearer ${token}` } })).status
    const refresh = async (token: string) =>
      (
        await rt.app.request('/oauth/token?grant_type=refresh_token', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: token }),
        })
      ).status

    it('SMTPD: the access token after an hour, the refresh token after 30 days', async () => {
      const g = await grant()
      expect(await me(g.access_token)).toBe(200)
      await move(rt, { advance: '59m' })
      expect(await me(g.access_token)).toBe(200)
      await move(rt, { advance: '2m' })
      expect(await me(g.access_token)).toBe(401)
      expect(await refresh(g.refresh_token)).toBe(200)
      await move(rt, { advance: '30d' })
      expect(await refresh(g.refresh_token)).not.toBe(200)
    })

    const rpc = mailboxRpc<{ result?: { session?: string }; error?: { code: number } }>(() => rt)

    it('mailbox.org: a session ends 20 minutes after its last use', async () => {
      const s = (await rpc('auth', { user: 'test_account', pass: '123456' })).result!.session!
      expect((await rpc('hello.innerworld', '', s)).result).toBeDefined()
      await move(rt, { advance: '19m' })
      expect((await rpc('hello.innerworld', '', s)).result).toBeDefined()
      await move(rt, { advance: '21m' })
      expect((await rpc('hello.innerworld', '', s)).error).toBeDefined()
    })

    it('mailbox.org: a throttled login is let in again once its window has passed', async () => {
      for (let i = 0; i < 3; i++) await rpc('auth', { user: 'test_account', pass: 'bad' })
      const refused = await rpc('auth', { user: 'test_account', pass: '123456' })
      expect(refused.error?.code).toBe(2)
      await move(rt, { advance: '15m' })
      expect((await rpc('auth', { user: 'test_account', pass: '123456' })).result?.session).toBeDefined()
    })

    it("AuthSMTP: the API's rate window opens again after it passes", async () => {
      const get = async () =>
        (await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })).text()
      expect(await get()).not.toContain('Rate limit exceeded')
      expect(await get()).toContain('Rate limit exceeded')
      await move(rt, { advance: '21s' })
      expect(await get()).not.toContain('Rate limit exceeded')
    })
  })
})
