import { encodeBasic } from '@mailfront/core'
import { dkimVerify } from 'mailauth/lib/dkim/verify'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  activeProfile,
  eventually,
  expectError,
  login,
  PROFILE,
  req,
  SEND,
  setup,
  t,
} from '../test/harness.ts'
import { SEND as SEND_MODEL } from './sending/models.ts'

// HTTP tests of send, its lookups and tracking. The pipeline is the unit-test stand-in whose events
// are emitted by hand: these check the plugin's mapping. The end-to-end proof (the real pipeline,
// capture and relay) is apps/server/test/smtpd-send-e2e.test.ts.

const SEND_KEYS = [
  'send_id',
  'send_key',
  'sending_profile_id',
  'from_email_address',
  'from_name',
  'recipient_email_address',
  'recipient_name',
  'subject',
  'open_tracking',
  'click_tracking',
  'tags',
  'state',
  'state_category',
  'created_at_utc',
  'modified_at_utc',
]
const settle = () => new Promise((r) => setTimeout(r, 20))
const events = async (id: string) =>
  (await req('GET', `/api/v1/email/send/${id}/events`)).body.map((e: { type: string; detail: string }) => [
    e.type,
    e.detail,
  ])

/** A resolver answering the profile's own DKIM record, as its DNS would after setup. */
async function dkimResolver(profileId: string) {
  const records = (await req('GET', `/api/v1/profile/email/${profileId}/setup`)).body.dns_records
  return async (name: string, type: string) => {
    const r = records.find(
      (x: { name: string; type: string }) => x.name === name.toLowerCase() && x.type === type,
    )
    if (!r) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
    return [[r.value]]
  }
}

let profileId: string
beforeEach(async () => {
  await setup()
  profileId = await activeProfile()
})

describe('POST /api/v1/email/send', () => {
  it('answers 202 with the send, accepted; the message is composed, DKIM-signed and submitted', async () => {
    const r = await req('POST', '/api/v1/email/send', SEND)
    expect(r.status).toBe(202)
    expect(Object.keys(r.body)).toEqual(SEND_KEYS)
    expect(r.body).toMatchObject({
      sending_profile_id: profileId,
      from_email_address: 'news@mail.example.com',
      recipient_email_address: 'jane@example.org',
      subject: 'Hello',
      tags: [],
      state: 'accepted',
      state_category: 'accepted',
    })
    expect(r.body.send_key).toMatch(/^[0-9A-Za-z]{27}$/)
    const { summary, raw } = t.mail.last()
    expect(summary.envelope).toEqual({
      from: `bounce+${r.body.send_key}@bounce.example.com`,
      to: ['jane@example.org'],
    })
    expect(summary).toMatchObject({
      plugin: 'smtpd',
      via: 'api',
      principal: '811affc1-66c7-4982-b39e-29f9536b4720',
    })
    const text = Buffer.from(raw).toString()
    expect(text).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=mail\.example\.com;/)
    expect(text).toContain('From: Example News <news@mail.example.com>')
    expect(text).toContain('Reply-To: help@example.com')
    expect(text).toContain(`Message-ID: <${r.body.send_key}@mail.example.com>`)
    const dkim = await dkimVerify(Buffer.from(raw), { resolver: await dkimResolver(profileId) })
    expect(dkim.results.map((x: { status: { result: string } }) => x.status.result)).toEqual(['pass'])
  })

  it('follows the pipeline: accepted → processed → sent → delivered, each event recorded', async () => {
    const r = await req('POST', '/api/v1/email/send', SEND)
    await settle()
    expect((await req('GET', `/api/v1/email/send/${r.body.send_id}`)).body.state).toBe('processed')
    const messageId = t.mail.last().summary.id
    t.mail.emit({ type: 'deferred', messageId, response: '451 4.7.1 try later' })
    await settle()
    expect((await req('GET', `/api/v1/email/send/${r.body.send_id}`)).body).toMatchObject({
      state: 'queued',
      state_category: 'processed',
    })
    t.mail.emit({ type: 'delivered', messageId, response: '250 2.0.0 OK queued as 1234' })
    await settle()
    const s = await req('GET', `/api/v1/email/send/${r.body.send_id}`)
    expect(s.body).toMatchObject({ state: 'delivered', state_category: 'delivered' })
    expect(s.body.error).toBeUndefined()
    expect(await events(r.body.send_id)).toEqual([
      ['accepted', ''],
      ['processed', ''],
      ['queued', '451 4.7.1 try later'],
      ['sent', ''],
      ['delivered', '250 2.0.0 OK queued as 1234'],
    ])
    // A late event never moves a finished send back.
    t.mail.emit({ type: 'submitted', messageId })
    await settle()
    expect((await req('GET', `/api/v1/email/send/${r.body.send_id}`)).body.state).toBe('delivered')
  })

  it('ends bounced, or rejected, with the reason', async () => {
    const a = await req('POST', '/api/v1/email/send', SEND)
    await settle()
    t.mail.emit({ type: 'bounced', messageId: t.mail.last().summary.id, response: '550 5.1.1 No such user' })
    await settle()
    expect((await req('GET', `/api/v1/email/send/${a.body.send_id}`)).body).toMatchObject({
      state: 'bounced',
      state_category: 'bounced',
      error: '550 5.1.1 No such user',
    })
    const b = await req('POST', '/api/v1/email/send', SEND)
    await settle()
    t.mail.emit({ type: 'discarded', messageId: t.mail.last().summary.id })
    await settle()
    expect((await req('GET', `/api/v1/email/send/${b.body.send_id}`)).body).toMatchObject({
      state: 'rejected',
      error: 'discarded by the operator',
    })
    // Refused by the pipeline itself: 202, rejected, with its reply.
    await setup({}, { rejectOver: 10 })
    await activeProfile()
    const c = await req('POST', '/api/v1/email/send', SEND)
    expect(c.status).toBe(202)
    expect(c.body).toMatchObject({ state: 'rejected', error: '552 Message size exceeds fixed limit' })
    // A host app without a mail pipeline: 503, nothing stored.
    await setup({}, { noMail: true })
    await activeProfile()
    expectError(await req('POST', '/api/v1/email/send', SEND), 'MAIL_UNAVAILABLE')
    expect(await req('GET', '/api/v1/email/send')).toMatchObject({ status: 200, body: [] })
  })

  it("the request's signal reaches the pipeline: the client gone while it waits (slow@), the send is rejected", async () => {
    await setup({}, { holdUntilAborted: true })
    await activeProfile()
    const client = new AbortController()
    const answer = t.app.request('/api/v1/email/send', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(SEND),
      signal: client.signal,
    })
    await eventually(
      async () => t.mail.held.length,
      (n) => n === 1,
    )
    expect(t.mail.held[0]!.signal!.aborted).toBe(false)
    client.abort('Client connection prematurely closed.')
    expect(t.mail.held[0]!.signal!.aborted).toBe(true)
    // Nobody reads this answer any more; the send it names is what a later lookup shows.
    const sent = (await (await answer).json()) as { send_id: string }
    expect(t.mail.messages.size).toBe(0)
    expect((await req('GET', `/api/v1/email/send/${sent.send_id}`)).body).toMatchObject({
      state: 'rejected',
      error: '421 4.4.2 Client went away before acceptance',
    })
    expect(await events(sent.send_id)).toEqual([
      ['accepted', ''],
      ['rejected', '421 4.4.2 Client went away before acceptance'],
    ])
  })

  it('40020 without an active profile for the From domain; 40901 for an unverified account', async () => {
    expectError(
      await req('POST', '/api/v1/email/send', { ...SEND, from_email_address: 'x@elsewhere.example' }),
      'DOMAIN_NOT_READY',
    )
    expect(
      (await req('POST', '/api/v1/email/send', { ...SEND, from_email_address: 'x@elsewhere.example' })).body,
    ).toEqual({
      code: 40020,
      message: 'Sending domain does not exist OR incorectly setup',
    })
    await req('POST', '/api/v1/profile/email', {
      ...PROFILE,
      profile_name: 'pending',
      sending_domain: 'p.example.com',
    })
    expectError(
      await req('POST', '/api/v1/email/send', { ...SEND, from_email_address: 'x@p.example.com' }),
      'DOMAIN_NOT_READY',
    )
    const signup = await req(
      'POST',
      '/api/v1/account',
      {
        terms: true,
        full_name: 'Una Verified',
        plan_id: 'dbef0751-42b7-424e-8d1f-4ad67c478a2d',
        country: 'AUS',
        password: 'password-123',
        email_address: 'una@example.net',
        account_name: 'una',
      },
      null,
    )
    expect(signup.status).toBe(202)
    t.token = await login(encodeBasic('una@example.net', 'password-123'))
    expect(await req('POST', '/api/v1/email/send', SEND)).toMatchObject({
      status: 409,
      body: { code: 40901, message: 'Account has not been verified' },
    })
  })

  it('role rules: a read_only key cannot send, a send_only key can', async () => {
    const key = async (role: string) => {
      const k = await req('POST', '/api/v1/account/api_key', { role, name: role })
      return login(encodeBasic(k.body.Key, k.body.Secret))
    }
    const owner = t.token
    t.token = await key('read_only')
    expectError(await req('POST', '/api/v1/email/send', SEND), 'FORBIDDEN_ROLE')
    t.token = owner
    t.token = await key('send_only')
    expect((await req('POST', '/api/v1/email/send', SEND)).status).toBe(202)
    expectError(await req('GET', '/api/v1/email/send'), 'FORBIDDEN_ROLE')
    // The demo key (standard) sends too, with its secret directly.
    expect((await req('POST', '/api/v1/email/send', SEND, encodeBasic('demo-secret', ''))).status).toBe(202)
  })

  it('validates the body: named field errors; tags null or absent are fine, more than 256 are not', async () => {
    const { subject: _, ...noSubject } = SEND
    expect((await req('POST', '/api/v1/email/send', noSubject)).body).toEqual({
      code: 40001,
      message: 'Validation failed: subject: Required',
    })
    expectError(
      await req('POST', '/api/v1/email/send', { ...SEND, recipient_email_address: 'nope' }),
      'VALIDATION_FAILED',
    )
    expectError(
      await req('POST', '/api/v1/email/send', { ...SEND, tags: Array(257).fill('t') }),
      'VALIDATION_FAILED',
    )
    const { tags: __, ...noTags } = SEND
    expect((await req('POST', '/api/v1/email/send', noTags)).status).toBe(202)
    const tagged = await req('POST', '/api/v1/email/send', { ...SEND, tags: ['a', 'b'] })
    expect(tagged.body.tags).toEqual(['a', 'b'])
  })

  it("enforces the plan's monthly limit (free: 5000), counting only this month's sends", async () => {
    const account = '811affc1-66c7-4982-b39e-29f9536b4720'
    // The demo account is on the business plan (no limit enforced): move it to free.
    await t.ctx.storage.updateMany({
      model: 'smtpd_account',
      where: { field: 'id', value: account },
      set: { plan_id: 'dbef0751-42b7-424e-8d1f-4ad67c478a2d' },
    })
    const now = t.ctx.clock.now()
    for (let i = 0; i < 4999; i++)
      await t.ctx.storage.create({
        model: SEND_MODEL,
        data: {
          account_id: account,
          send_key: `k${i}`,
          sending_profile_id: profileId,
          from_email_address: 'a@mail.example.com',
          recipient_email_address: 'b@example.org',
          subject: 's',
          tags: [],
          state: 'delivered',
          state_category: 'delivered',
          // The last ten are from the month before.
          created_at: i < 4989 ? now - i * 1000 : Date.UTC(2026, 4, 31, 23, 59),
          modified_at: now,
        },
      })
    // Some of those are from the month before: the period is the calendar month (UTC).
    const usage = await req('GET', '/api/v1/account/billing/usage')
    const thisMonth = usage.body.total
    expect(thisMonth).toBe(4989)
    expect(usage.body.total_by_category).toMatchObject({ delivered: 4989, proccessed: 0 })
    for (let i = thisMonth; i < 5000; i++)
      expect((await req('POST', '/api/v1/email/send', SEND)).status).toBe(202)
    expectError(await req('POST', '/api/v1/email/send', SEND), 'PLAN_LIMIT')
  })
})
