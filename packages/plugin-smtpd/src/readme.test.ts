import { readFileSync } from 'node:fs'
import { encodeBasic } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { KEY, req, setup, t } from '../test/harness.ts'
import { ERRORS } from './errors.ts'
import { smtpdOptions } from './options.ts'
import { HIDDEN_LIMITS, PLANS } from './plans.ts'
import { can, KEY_ROLES } from './roles.ts'

// The plugin README says what clients meet: its tables and claims are checked against the code and
// the server's behaviour, so that it cannot go stale again.

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
/** The cells of the table rows whose first cell starts with `first`. */
const row = (first: string) => {
  const line = README.split('\n').find((l) => l.startsWith(`| ${first}`))
  expect(line, `a README table row starting "| ${first}"`).toBeDefined()
  return line!
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim())
}

describe('the README', () => {
  it('no longer says the clients cannot be run or that smtpd-go validates before each call', () => {
    expect(README).not.toMatch(/could not be run/)
    expect(README).not.toMatch(/before each use of a cached token/)
    expect(README).toContain('build offline')
  })

  it('states the token lifetimes the options default to', () => {
    const o = smtpdOptions.parse({})
    expect([o.accessTtlS, o.refreshTtlDays, o.keyIdleDays]).toEqual([3600, 30, 90])
    expect(README).toMatch(/access token lives \*\*1 hour\*\*/)
    expect(README).toMatch(/refresh token \*\*30 days\*\* from its grant/)
    expect(README).toMatch(/unused for \*\*90 days\*\*/)
  })

  it('lists for each API-key role what it may do, as the roles table enforces', () => {
    const yes = (b: boolean) => (b ? 'yes' : 'no')
    for (const role of KEY_ROLES)
      expect(row(`\`${role}\``)).toEqual([
        `\`${role}\``,
        yes(can(role, 'read')),
        yes(can(role, 'manage_profiles')),
        yes(can(role, 'send')),
      ])
  })

  it('gives each plan limit as plans.ts has it', () => {
    const [free, startup, business] = PLANS
    const limits = (cells: string[]) => cells.slice(1, 4).map((c) => c.replace(/,.*/, ''))
    expect(limits(row('`max_emails_per_month`'))).toEqual(
      [free, startup, business].map((p) => String(p.max_emails_per_month)),
    )
    expect(limits(row('`max_sending_profiles`'))).toEqual(
      [free, startup, business].map((p) => String(p.max_sending_profiles)),
    )
    expect(limits(row('`max_retention_days`'))).toEqual(
      [free, startup, business].map((p) => String(p.max_retention_days)),
    )
    for (const [first, key] of [
      ['templates', 'max_templates'],
      ['forms', 'max_forms'],
      ['API keys', 'max_api_keys'],
    ] as const)
      expect(limits(row(first))).toEqual(
        [free, startup, business].map((p) => String(HIDDEN_LIMITS[p.name][key])),
      )
    const yes = (b: boolean) => (b ? 'yes' : 'no')
    expect(limits(row('`feature_basic_reporting`'))).toEqual(
      [free, startup, business].map((p) => yes(p.feature_basic_reporting)),
    )
    expect(limits(row('`feature_advance_reporting`'))).toEqual(
      [free, startup, business].map((p) => yes(p.feature_advance_reporting)),
    )
  })

  it('lists every error code of the table', () => {
    for (const e of Object.values(ERRORS)) expect(README, `code ${e.code}`).toContain(String(e.code))
  })
})

describe('what the README says about tokens holds', () => {
  beforeEach(() => setup())
  const grant = async (basic: string) =>
    (
      await t.app.request('/oauth/token?grant_type=password', {
        method: 'POST',
        headers: { Authorization: basic },
      })
    ).json()
  const refresh = async (refresh_token: string) =>
    t.app.request('/oauth/token?grant_type=refresh_token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token }),
    })

  it('two processes sharing a key: the second grant locks the first out at refresh (403 40106)', async () => {
    const first = (await grant(KEY)) as { refresh_token: string }
    const second = (await grant(KEY)) as { refresh_token: string }
    const locked = await refresh(first.refresh_token)
    expect(locked.status).toBe(403)
    expect(await locked.json()).toEqual({ code: 40106, message: 'Refresh token is invalid' })
    expect((await refresh(second.refresh_token)).status).toBe(200)
  })

  it('an access token ends after 1 h (401 40103); a refresh carries on', async () => {
    const g = (await grant(KEY)) as { access_token: string; refresh_token: string }
    const auth = `Bearer ${g.access_token}`
    expect((await req('GET', '/api/v1/account', undefined, auth)).status).toBe(200)
    t.ctx.clock.advance(3600_000 + 1000)
    expect(await req('GET', '/api/v1/account', undefined, auth)).toMatchObject({
      status: 401,
      body: { code: 40103 },
    })
    const fresh = (await (await refresh(g.refresh_token)).json()) as { access_token: string }
    expect((await req('GET', '/api/v1/account', undefined, `Bearer ${fresh.access_token}`)).status).toBe(200)
  })

  it('no key role both manages profiles and sends; an owner login does both', async () => {
    for (const role of KEY_ROLES) expect(can(role, 'manage_profiles') && can(role, 'send'), role).toBe(false)
    const owner = (await grant(encodeBasic('jack.truong@example.com', 'demo-password'))) as {
      access_token: string
    }
    expect(
      (await req('GET', '/api/v1/profile/email', undefined, `Bearer ${owner.access_token}`)).status,
    ).toBe(200)
  })
})
