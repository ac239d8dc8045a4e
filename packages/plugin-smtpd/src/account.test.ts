import { encodeBasic } from '@mailfront/core'
import { decodeJwt } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  bearer,
  ctx,
  DAY,
  expectError,
  grant,
  JACK,
  KEY,
  refresh,
  req,
  setup,
} from '../test/plugin-harness.ts'

// API keys, the account, users, roles and billing.

beforeEach(() => setup())

describe('API keys', () => {
  const jwtOf = async (auth = JACK) => bearer((await grant(auth)).body.access_token)

  it('authenticate directly on /api/v1 with the secret (Basic username or Bearer), not on /oauth', async () => {
    expect((await req('GET', '/api/v1/account', { auth: encodeBasic('demo-secret', '') })).status).toBe(200)
    expect((await req('GET', '/api/v1/account', { auth: bearer('demo-secret') })).status).toBe(200)
    expectError(await req('GET', '/api/v1/account', { auth: encodeBasic('demo-key', '') }), 'BAD_TOKEN')
    expectError(await req('GET', '/oauth/me', { auth: bearer('demo-secret') }), 'BAD_TOKEN')
  })

  it('create shows the secret once (201, PascalCase); list and get never do', async () => {
    const auth = await jwtOf()
    ctx.clock.advance(1000)
    const made = await req('POST', '/api/v1/account/api_key', {
      auth,
      body: { role: 'read_only', name: 'ci' },
    })
    expect(made.status).toBe(201)
    expect(Object.keys(made.body)).toEqual(['ID', 'Name', 'Key', 'Secret'])
    const list = await req('GET', '/api/v1/account/api_key', { auth })
    expect(JSON.stringify(list.body)).not.toContain(made.body.Secret)
    expect(list.body.map((k: { name: string }) => k.name)).toEqual(['demo', 'ci'])
    const one = await req('GET', `/api/v1/account/api_key/${made.body.ID}`, { auth })
    expect(one.body).toMatchObject({
      id: made.body.ID,
      key: made.body.Key,
      role: 'read_only',
      is_active: true,
    })
    // The new secret works, with its role.
    expect((await req('GET', '/api/v1/account', { auth: bearer(made.body.Secret) })).status).toBe(200)
    expectError(
      await req('POST', '/api/v1/account/api_key', {
        auth: bearer(made.body.Secret),
        body: { role: 'iac', name: 'x' },
      }),
      'FORBIDDEN_ROLE',
    )
  })

  it('checks the role before the body: a key that may not act posting an invalid body gets 403, not 400', async () => {
    const made = await req('POST', '/api/v1/account/api_key', {
      auth: await jwtOf(),
      body: { role: 'read_only', name: 'ro' },
    })
    const readOnly = bearer(made.body.Secret)
    // Invalid for the route (no name, an unknown role): the role is refused first, nothing is validated.
    const invalid = { role: 'nope', extra: 1 }
    const res = await req('POST', '/api/v1/account/api_key', { auth: readOnly, body: invalid })
    expect(res.status).toBe(403)
    expectError(res, 'FORBIDDEN_ROLE')
    expectError(
      await req('POST', '/api/v1/email/send', { auth: readOnly, body: { recipient_email_address: 1 } }),
      'FORBIDDEN_ROLE',
    )
    // The owner, who may create keys, gets the validation error for the same body.
    const owner = await jwtOf()
    expect((await req('POST', '/api/v1/account/api_key', { auth: owner, body: invalid })).status).toBe(400)
  })

  it("lists a key's sessions, and revoking the key ends them and the key", async () => {
    const auth = await jwtOf()
    const keyGrant = await grant(KEY)
    const id = (await req('GET', '/api/v1/account/api_key', { auth })).body[0].id
    const sessions = await req('GET', `/api/v1/account/api_key/${id}/sessions`, { auth })
    expect(sessions.body).toHaveLength(1)
    const revoked = await req('PUT', `/api/v1/account/api_key/${id}/revoke`, { auth })
    expect(revoked.body.is_active).toBe(false)
    expectError(await refresh(keyGrant.body.refresh_token), 'BAD_REFRESH')
    expectError(await req('GET', '/oauth/me', { auth: bearer(keyGrant.body.access_token) }), 'BAD_TOKEN')
    expectError(await grant(KEY), 'BAD_CREDENTIALS')
    expectError(
      await req('GET', '/api/v1/account/api_key/00000000-0000-4000-8000-000000000000', { auth }),
      'BAD_ID',
    )
  })

  it('stop working after 90 days without use, and each use keeps them alive', async () => {
    ctx.clock.advance(89 * DAY)
    expect((await req('GET', '/api/v1/account', { auth: bearer('demo-secret') })).status).toBe(200)
    ctx.clock.advance(89 * DAY)
    expect((await req('GET', '/api/v1/account', { auth: bearer('demo-secret') })).status).toBe(200)
    ctx.clock.advance(90 * DAY)
    expectError(await req('GET', '/api/v1/account', { auth: bearer('demo-secret') }), 'BAD_TOKEN')
    const list = await req('GET', '/api/v1/account/api_key', { auth: await jwtOf() })
    expect(list.body[0].is_active).toBe(false)
  })
})

describe('account, users, roles, billing', () => {
  it('signs up: 202 with the account id, unverified, owner can log in', async () => {
    const body = {
      terms: true,
      full_name: 'Ada Lovelace',
      plan_id: 'dbef0751-42b7-424e-8d1f-4ad67c478a2d',
      country: 'GBR',
      password: 'analytical-engine',
      email_address: 'ada@example.org',
      account_name: 'Engines',
    }
    const r = await req('POST', '/api/v1/account', { body })
    expect(r.status).toBe(202)
    expect(r.body.account_id).toMatch(/^[0-9a-f-]{36}$/)
    const g = await grant(encodeBasic('ada@example.org', 'analytical-engine'))
    expect(decodeJwt(g.body.access_token).is_account_verified).toBe(false)
    const acc = await req('GET', '/api/v1/account', { auth: bearer(g.body.access_token) })
    expect(acc.body).toMatchObject({
      id: r.body.account_id,
      account_name: 'Engines',
      user_count: 1,
      api_key_count: 0,
      is_verified: false,
    })
    expect((await req('GET', '/oauth/me', { auth: bearer(g.body.access_token) })).body).toMatchObject({
      first_name: 'Ada',
      surname: 'Lovelace',
      is_owner: true,
    })
    expectError(await req('POST', '/api/v1/account', { body }), 'EMAIL_TAKEN')
    expectError(
      await req('POST', '/api/v1/account', { body: { ...body, email_address: 'b@example.org' } }),
      'ACCOUNT_NAME_TAKEN',
    )
    const bad = await req('POST', '/api/v1/account', { body: { ...body, email_address: 'not-an-address' } })
    expectError(bad, 'VALIDATION_FAILED')
    expect(bad.body.message).toMatch(/^Validation failed: email_address: /)
  })

  it('answers the account in seconds, users and billing', async () => {
    const auth = bearer((await grant()).body.access_token)
    const acc = await req('GET', '/api/v1/account', { auth })
    expect(acc.body).toMatchObject({
      user_count: 1,
      api_key_count: 1,
      is_verified: true,
      // The demo account is on our business plan (every route usable).
      plan_id: '7d3e6f0a-2c4b-4f5e-9a81-b6c2d4e8f013',
    })
    expect(String(acc.body.created_at_utc)).toHaveLength(10)
    const added = await req('POST', '/api/v1/account/user', {
      auth,
      body: { email_address: 'ro@example.com', password: 'read-only-pw', role: 'read_only' },
    })
    expect(added.status).toBe(201)
    expect((await req('GET', '/api/v1/account/user', { auth })).body).toHaveLength(2)
    expect((await req('GET', `/api/v1/account/user/${added.body.id}`, { auth })).body.role).toBe('read_only')
    const plans = await req('GET', '/api/v1/billing/plan')
    expect(plans.body.map((p: { name: string }) => p.name)).toEqual(['free', 'startup', 'business'])
    expect((await req('GET', '/api/v1/billing/plans')).body).toEqual(plans.body)
    expect(
      (await req('GET', '/api/v1/billing/plan/10e5dba8-903d-4623-afc6-0d4a17852931')).body
        .price_usd_per_month,
    ).toBe('90.00')
    expect((await req('GET', '/api/v1/account/billing/plan/current', { auth })).body).toMatchObject({
      plan_name: 'business',
      max_emails_per_month: 1000000,
      feature_advance_reporting: true,
    })
    expect(
      (await req('GET', '/api/v1/account/billing/usage', { auth })).body.total_by_category,
    ).toHaveProperty('proccessed', 0)
  })

  it('enforces roles on every route', async () => {
    const owner = bearer((await grant()).body.access_token)
    await req('POST', '/api/v1/account/user', {
      auth: owner,
      body: { email_address: 'so@example.com', password: 'send-only-pw', role: 'send_only' },
    })
    const sendOnly = bearer((await grant(encodeBasic('so@example.com', 'send-only-pw'))).body.access_token)
    expectError(await req('GET', '/api/v1/account', { auth: sendOnly }), 'FORBIDDEN_ROLE')
    expectError(await req('GET', '/api/v1/account/api_key', { auth: sendOnly }), 'FORBIDDEN_ROLE')
    expectError(
      await req('POST', '/api/v1/account/user', {
        auth: sendOnly,
        body: { email_address: 'x@example.com', password: 'xxxxxxxxx', role: 'admin' },
      }),
      'FORBIDDEN_ROLE',
    )
    const standardKey = bearer('demo-secret')
    expect((await req('GET', '/api/v1/account', { auth: standardKey })).status).toBe(200)
    expectError(
      await req('PUT', '/api/v1/account/api_key/whatever/revoke', { auth: standardKey }),
      'FORBIDDEN_ROLE',
    )
  })
})
