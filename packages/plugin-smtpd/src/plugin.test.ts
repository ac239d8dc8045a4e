import { readFileSync } from 'node:fs'
import { encodeBasic } from '@mailfront/core'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { ERRORS } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { smtpdPlugin } from './index.ts'

const DEMO = JSON.parse(readFileSync(new URL('../../../fixtures/demo.json', import.meta.url), 'utf8')).smtpd
const JACK = encodeBasic('jack.truong@example.com', 'demo-password')
const KEY = encodeBasic('demo-key', 'demo-secret')
const DAY = 86_400_000

let ctx: TestContext
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

async function setup(options: Record<string, string> = {}, over: Partial<TestContext> = {}) {
  ctx = createTestContext({ options, ...over })
  ;({ app } = await mountPluginForTest(smtpdPlugin(), ctx))
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
}

async function req(
  method: string,
  path: string,
  opts: { auth?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await app.request(path, {
    method,
    headers: {
      ...(opts.auth ? { Authorization: opts.auth } : {}),
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...opts.headers,
    },
    ...(opts.body === undefined
      ? {}
      : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null }
}
const grant = (auth = JACK) => req('POST', '/oauth/token?grant_type=password', { auth })
const refresh = (token: string, headers: Record<string, string> = {}) =>
  req('POST', '/oauth/token?grant_type=refresh_token', { body: { refresh_token: token }, headers })
const bearer = (t: string) => `Bearer ${t}`
const expectError = (
  r: { status: number; body: unknown },
  name: keyof typeof ERRORS,
  status: number = ERRORS[name].status,
) => {
  expect(r.status).toBe(status)
  expect((r.body as { code: number }).code).toBe(ERRORS[name].code)
}

beforeEach(() => setup())

describe('the token life, with the injected clock', () => {
  it('grant, use, refresh (same refresh token), a second grant killing the first, revoke, 30-day expiry, access expiry', async () => {
    const g1 = await grant()
    expect(g1.status).toBe(200)
    expect(Object.keys(g1.body)).toEqual([
      'token_type',
      'access_token',
      'expires_at',
      'Scope',
      'refresh_token',
    ])
    expect(g1.body).toMatchObject({ token_type: 'bearer', Scope: ['owner'] })
    expect(g1.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{128}$/)
    expect(g1.body.expires_at).toBe(ctx.clock.now() + 3600_000)

    const me = await req('GET', '/oauth/me', { auth: bearer(g1.body.access_token) })
    expect(me.status).toBe(200)

    ctx.clock.advance(10 * 60_000)
    const r1 = await refresh(g1.body.refresh_token, { Authorization: bearer('expired.or.whatever') })
    expect(r1.status).toBe(200)
    expect(r1.body.refresh_token).toBe(g1.body.refresh_token)
    expect(r1.body.access_token).not.toBe(g1.body.access_token)

    const g2 = await grant()
    expectError(await refresh(g1.body.refresh_token), 'BAD_REFRESH')
    expect((await refresh(g2.body.refresh_token)).status).toBe(200)

    // Revoke with the bearer: the refresh token is dead afterwards.
    const rev = await req('POST', '/oauth/revoke', {
      auth: bearer(g2.body.access_token),
      body: { refresh_token: g2.body.refresh_token },
    })
    expect(rev.status).toBe(200)
    expectError(await refresh(g2.body.refresh_token), 'BAD_REFRESH')
    expectError(
      await req('POST', '/oauth/revoke', {
        auth: bearer(g2.body.access_token),
        body: { refresh_token: g2.body.refresh_token },
      }),
      'BAD_REFRESH',
      401,
    )

    // A refresh token lives 30 days from its grant, however often it is used.
    const g3 = await grant()
    ctx.clock.advance(29 * DAY)
    expect((await refresh(g3.body.refresh_token)).status).toBe(200)
    ctx.clock.advance(DAY)
    expectError(await refresh(g3.body.refresh_token), 'BAD_REFRESH')

    // The access token expires after an hour.
    const g4 = await grant()
    ctx.clock.advance(3600_000 - 1000)
    expect((await req('GET', '/oauth/me', { auth: bearer(g4.body.access_token) })).status).toBe(200)
    ctx.clock.advance(1000)
    expectError(await req('GET', '/oauth/me', { auth: bearer(g4.body.access_token) }), 'TOKEN_EXPIRED')
    expectError(await req('GET', '/oauth/validate', { auth: bearer(g4.body.access_token) }), 'TOKEN_EXPIRED')
  })

  it('takes the credentials from a JSON or form body when there is no Basic header', async () => {
    expect(
      (
        await req('POST', '/oauth/token?grant_type=password', {
          body: { username: 'jack.truong@example.com', password: 'demo-password' },
        })
      ).status,
    ).toBe(200)
    const form = await app.request('/oauth/token?grant_type=password', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=jack.truong%40example.com&password=demo-password',
    })
    expect(form.status).toBe(200)
  })

  it('refuses wrong credentials with the seed error, at 403', async () => {
    const r = await grant(encodeBasic('jack.truong@example.com', 'nope'))
    expect(r).toMatchObject({
      status: 403,
      body: { code: 40102, message: 'Username and password are incorrect' },
    })
    expectError(await grant(encodeBasic('nobody@example.com', 'x')), 'BAD_CREDENTIALS')
    expectError(await grant(encodeBasic('demo-key', 'wrong-secret')), 'BAD_CREDENTIALS')
    expectError(await req('POST', '/oauth/token?grant_type=password'), 'BAD_CREDENTIALS')
  })

  it('answers the refresh error of the seed exactly', async () => {
    const r = await refresh('x'.repeat(128))
    expect(r).toEqual({
      status: 403,
      headers: r.headers,
      body: { code: 40106, message: 'Refresh token is invalid' },
    })
  })
})

describe('access tokens', () => {
  it('carry every claim of the seed sample, HS256', async () => {
    const t = (await grant()).body.access_token as string
    expect(decodeProtectedHeader(t)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const claims = decodeJwt(t)
    expect(claims).toEqual({
      account_id: '811affc1-66c7-4982-b39e-29f9536b4720',
      exp: Math.floor(ctx.clock.now() / 1000) + 3600,
      id: '19ab52c7-da60-4dd2-af27-19f17d6afe37',
      is_account_verified: true,
      iss: 'SMTPD Inc',
      name: '',
      scope: [0],
      sub: 'jack.truong@example.com',
      subject: 'jack.truong@example.com',
    })
    expect(Object.keys(claims).sort()).toEqual([
      'account_id',
      'exp',
      'id',
      'is_account_verified',
      'iss',
      'name',
      'scope',
      'sub',
      'subject',
    ])
  })

  it('refuses a tampered token', async () => {
    const t = (await grant()).body.access_token as string
    const [h, p, s] = t.split('.')
    const claims = { ...decodeJwt(t), scope: [1] }
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`
    expectError(await req('GET', '/oauth/me', { auth: bearer(forged) }), 'BAD_TOKEN')
    expectError(
      await req('GET', '/oauth/me', { auth: bearer(`${h}.${p}.${s!.slice(0, -3)}abc`) }),
      'BAD_TOKEN',
    )
    expectError(await req('GET', '/oauth/me'), 'BAD_TOKEN')
  })

  it('accepts `Authentication:` as an alias of `Authorization:`', async () => {
    const t = (await grant()).body.access_token as string
    const r = await req('GET', '/oauth/me', { headers: { Authentication: bearer(t) } })
    expect(r.status).toBe(200)
  })

  it('uses the configured issuer and lifetime', async () => {
    await setup({ issuer: 'Acme', access_ttl_s: '60' })
    const g = (await grant()).body
    expect(decodeJwt(g.access_token).iss).toBe('Acme')
    expect(g.expires_at).toBe(ctx.clock.now() + 60_000)
  })
})

describe('/oauth/me and /oauth/validate', () => {
  it('answers the seed shape, times in milliseconds', async () => {
    const t = (await grant()).body.access_token
    const me = await req('GET', '/oauth/me', { auth: bearer(t) })
    expect(me.body).toEqual({
      id: '19ab52c7-da60-4dd2-af27-19f17d6afe37',
      account_id: '811affc1-66c7-4982-b39e-29f9536b4720',
      email_address: 'jack.truong@example.com',
      first_name: 'Jack',
      surname: 'Truong',
      gravatar_url: '',
      is_owner: true,
      is_verified: false,
      created_at_utc: 1598610725000,
      modified_at_utc: 1598610725000,
    })
    const v = await req('GET', '/oauth/validate', { auth: bearer(t) })
    expect(v.status).toBe(200)
    expect(v.body.sub).toBe('jack.truong@example.com')
  })

  it('gives the creating user for an API-key token, with the key as subject and its role', async () => {
    const g = await grant(KEY)
    expect(g.body.Scope).toEqual(['standard'])
    const claims = decodeJwt(g.body.access_token)
    expect([claims.sub, claims.subject, claims.scope]).toEqual(['demo-key', 'demo-key', [3]])
    expect((await req('GET', '/oauth/me', { auth: bearer(g.body.access_token) })).body.email_address).toBe(
      'jack.truong@example.com',
    )
  })
})

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
      plan_id: 'dbef0751-42b7-424e-8d1f-4ad67c478a2d',
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
    expect(plans.body.map((p: { name: string }) => p.name)).toEqual(['free', 'startup'])
    expect((await req('GET', '/api/v1/billing/plans')).body).toEqual(plans.body)
    expect(
      (await req('GET', '/api/v1/billing/plan/10e5dba8-903d-4623-afc6-0d4a17852931')).body
        .price_usd_per_month,
    ).toBe('90.00')
    expect((await req('GET', '/api/v1/account/billing/plan/current', { auth })).body).toMatchObject({
      plan_name: 'free',
      max_emails_per_month: 5000,
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

describe('every other error code at its status', () => {
  it('40002 for an unknown grant_type', async () => {
    expectError(await req('POST', '/oauth/token?grant_type=client_credentials'), 'UNSUPPORTED_GRANT')
  })
  it('40302 for plain HTTP when HTTPS is required', async () => {
    await setup({}, { requireHttps: true })
    const res = await app.request(
      '/oauth/me',
      {},
      { mailfront: { requestId: 'r', secure: false, ip: '127.0.0.1' } },
    )
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ code: 40302, message: 'All API requests must be made over HTTPS' })
  })
  it('40402 for an unknown route', async () => {
    expectError(await req('GET', '/api/v1/nothing/here'), 'NOT_FOUND')
  })
  it('41301 for a body over the limit', async () => {
    await setup({}, { bodyLimit: 50 })
    const r = await req('POST', '/api/v1/account', { body: { full_name: 'x'.repeat(100) } })
    expect(r).toMatchObject({ status: 413, body: { code: 41301, message: 'Request body too large' } })
  })
  it('42901 with Retry-After after too many password grants', async () => {
    await setup({ grant_attempts: '2' })
    await grant(encodeBasic('jack.truong@example.com', 'bad'))
    await grant(encodeBasic('jack.truong@example.com', 'bad'))
    const r = await grant()
    expectError(r, 'RATE_LIMITED')
    expect(r.headers.get('retry-after')).toBe('900')
  })
  it('42901 past the per-principal call limit', async () => {
    await setup({ calls_per_min: '2' })
    const auth = bearer('demo-secret')
    await req('GET', '/api/v1/account', { auth })
    await req('GET', '/api/v1/account', { auth })
    expectError(await req('GET', '/api/v1/account', { auth }), 'RATE_LIMITED')
  })
  it('50001 for an unexpected failure, without its details', async () => {
    const t = (await grant()).body.access_token
    ctx.storage.count = async () => {
      throw new Error('disk on fire: /var/secret')
    }
    const r = await req('GET', '/api/v1/account', { auth: bearer(t) })
    expect(r).toMatchObject({ status: 500, body: { code: 50001, message: 'Internal error' } })
    expect(JSON.stringify(r.body)).not.toContain('disk')
  })
})

describe('fixtures', () => {
  it('round-trip through export and load', async () => {
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
    expect((await grant(KEY)).status).toBe(200)
    expect((await grant()).status).toBe(200)
  })
})
