import { encodeBasic } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { eventually, expectError, PROFILE, req, setup, t } from '../test/harness.ts'
import type { Resolver } from './index.ts'

// HTTP tests of the sending profiles (the plugin's app through app.request()).

beforeEach(() => setup())

describe('sending profiles', () => {
  it('create (202 creating), list (200, an array), setup records, verify → active, on both path families', async () => {
    for (const base of ['/api/v1/profile/email', '/api/v1/email/profile']) {
      const name = `p-${base.length}-${base.at(-1)}`
      const created = await req('POST', base, { ...PROFILE, profile_name: name })
      expect(created.status).toBe(202)
      expect(Object.keys(created.body)).toEqual(['profile_id', 'profile_name', 'state'])
      expect(created.body).toMatchObject({ profile_name: name, state: 'creating' })
      const id = created.body.profile_id

      const setupRes = await req('GET', `${base}/${id}/setup`)
      expect(setupRes.status).toBe(200)
      expect(setupRes.body).toMatchObject({ profile_id: id, profile_name: name, state: 'pending' })
      const records = setupRes.body.dns_records as { name: string; type: string; value: string }[]
      expect(records.map((r) => [r.type, r.name.replace(/^[a-z0-9]{27}\./, '<sel>.')])).toEqual([
        ['TXT', '<sel>._domainkey.mail.example.com'],
        ['TXT', 'mail.example.com'],
        ['CNAME', 'bounce.example.com'],
        ['CNAME', 'links.example.com'],
      ])
      expect(records[0]!.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}={0,2}$/)
      expect(records[1]!.value).toBe('v=spf1 include:_spf.smtpd.mailfront.localhost ~all')
      expect(
        setupRes.body.dns_records.every(
          (r: { validation_state: string }) => r.validation_state === 'pending',
        ),
      ).toBe(true)

      const verify = await req('PUT', `${base}/${id}/verify`)
      expect(verify.status).toBe(202)
      const active = await eventually(
        () => req('GET', `${base}/${id}/setup`),
        (r) => r.body.state === 'active',
      )
      expect(active.body.dns_records.map((r: { validation_state: string }) => r.validation_state)).toEqual([
        'valid',
        'valid',
        'valid',
        'valid',
      ])
      const list = await req('GET', base)
      expect(list.status).toBe(200)
      expect(list.body.find((p: { profile_id: string }) => p.profile_id === id)).toEqual({
        profile_id: id,
        profile_name: name,
        sending_domain: 'mail.example.com',
        link_domain: 'links.example.com',
        link_domain_default_redirect: 'https://example.com/',
        bounce_domain: 'bounce.example.com',
        state: 'active',
        created_at_utc: Math.floor(t.ctx.clock.now() / 1000),
        modified_at_utc: Math.floor(t.ctx.clock.now() / 1000),
      })
    }
    // Both families show the same profiles.
    expect((await req('GET', '/api/v1/profile/email')).body).toEqual(
      (await req('GET', '/api/v1/email/profile')).body,
    )
  })

  it('each profile has its own DKIM key pair', async () => {
    const a = await req('POST', '/api/v1/profile/email', PROFILE)
    const b = await req('POST', '/api/v1/profile/email', { ...PROFILE, profile_name: 'other' })
    const dkim = async (id: string) =>
      (await req('GET', `/api/v1/profile/email/${id}/setup`)).body.dns_records[0]
    const [ka, kb] = [await dkim(a.body.profile_id), await dkim(b.body.profile_id)]
    expect(ka.value).not.toBe(kb.value)
    expect(ka.name).not.toBe(kb.name)
  })

  it('refuses a duplicate name, bad domains, unknown ids, and roles without the right', async () => {
    await req('POST', '/api/v1/profile/email', PROFILE)
    expectError(await req('POST', '/api/v1/profile/email', PROFILE), 'PROFILE_NAME_TAKEN')
    const bad = await req('POST', '/api/v1/profile/email', { ...PROFILE, sending_domain: 'not a domain' })
    expectError(bad, 'VALIDATION_FAILED')
    expect(bad.body.message).toBe('Validation failed: sending_domain: must be a domain name')
    expectError(
      await req('GET', '/api/v1/profile/email/00000000-0000-4000-8000-000000000000/setup'),
      'BAD_ID',
    )
    expectError(await req('PUT', '/api/v1/email/profile/nope/verify'), 'BAD_ID')
    // The demo key is `standard`: read and send, not manage profiles.
    const asKey = await req(
      'POST',
      '/api/v1/profile/email',
      { ...PROFILE, profile_name: 'x' },
      encodeBasic('demo-secret', ''),
    )
    expectError(asKey, 'FORBIDDEN_ROLE')
  })

  it('with MAILFRONT_SMTPD_DNS_CHECK=dns, checks each record with the resolver', async () => {
    const zone = new Map<string, string[][]>()
    const cnames = new Map<string, string[]>()
    const nx = () => Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' })
    const resolver: Resolver = {
      resolveTxt: async (n) => zone.get(n.toLowerCase()) ?? Promise.reject(nx()),
      resolveCname: async (n) => cnames.get(n.toLowerCase()) ?? Promise.reject(nx()),
    }
    await setup({ dns_check: 'dns', dns_target: 'edge.mailfront.test' }, { resolver })
    const id = (await req('POST', '/api/v1/profile/email', PROFILE)).body.profile_id
    const states = async () => {
      await req('PUT', `/api/v1/profile/email/${id}/verify`)
      await new Promise((r) => setTimeout(r, 20))
      const s = await req('GET', `/api/v1/profile/email/${id}/setup`)
      return {
        state: s.body.state,
        records: s.body.dns_records.map((r: { validation_state: string }) => r.validation_state),
        s,
      }
    }
    let r = await states()
    expect(r).toMatchObject({ state: 'pending', records: ['invalid', 'invalid', 'invalid', 'invalid'] })
    const [dkim, spf] = r.s.body.dns_records
    // The key split in 255-byte strings, as DNS TXT records hold it.
    zone.set(dkim.name.toLowerCase(), [[dkim.value.slice(0, 200), dkim.value.slice(200)]])
    zone.set('mail.example.com', [
      ['google-site-verification=x'],
      ['v=spf1 include:_spf.edge.mailfront.test ~all'],
    ])
    cnames.set('bounce.example.com', ['edge.mailfront.test.'])
    r = await states()
    expect(r).toMatchObject({ state: 'pending', records: ['valid', 'valid', 'valid', 'invalid'] })
    expect(spf.value).toBe('v=spf1 include:_spf.edge.mailfront.test ~all')
    cnames.set('links.example.com', ['EDGE.mailfront.test'])
    r = await states()
    expect(r).toMatchObject({ state: 'active', records: ['valid', 'valid', 'valid', 'valid'] })
  })

  it('refuses a bad MAILFRONT_SMTPD_DNS_CHECK', async () => {
    await expect(setup({ dns_check: 'maybe' })).rejects.toThrow(
      'MAILFRONT_SMTPD_DNS_CHECK must be one of off, dns (got "maybe")',
    )
  })
})
