import { encodeBasic } from '@mailfront/core'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  app,
  bearer,
  ctx,
  DAY,
  expectError,
  grant,
  KEY,
  refresh,
  req,
  setup,
} from '../test/plugin-harness.ts'

// OAuth tokens: the grant/refresh life, the JWT claims, /oauth/me and /oauth/validate.

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

describe('the JWT issuer (issue 24, item 9)', () => {
  it('signs iss and refuses a well-signed token naming another issuer or none: 401 40101', async () => {
    const g = await grant()
    const claims = decodeJwt(g.body.access_token)
    expect(claims.iss).toBe('SMTPD Inc')
    expect((await req('GET', '/oauth/me', { auth: bearer(g.body.access_token) })).status).toBe(200)
    // The same claims, signed with the plugin's own key, but from elsewhere (or from nobody).
    const { createHs256 } = await import('@mailfront/core')
    const { iss: _iss, exp: _exp, ...rest } = claims
    for (const issuer of ['Someone Else', undefined]) {
      const signer = createHs256(`${ctx.secret}:smtpd`, { clock: ctx.clock, ...(issuer ? { issuer } : {}) })
      const { token } = await signer.sign(rest, { expiresInS: 600 })
      expectError(await req('GET', '/oauth/me', { auth: bearer(token) }), 'BAD_TOKEN')
    }
  })
})
