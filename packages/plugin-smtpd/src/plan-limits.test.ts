import { beforeEach, describe, expect, it } from 'vitest'
import { PROFILE, req, SEND, setup, t } from '../test/harness.ts'
import { PLANS } from './plans.ts'
import { SEND_EVENT, SEND as SEND_MODEL } from './sending/models.ts'
import { ACCOUNT } from './store.ts'

// Every limit and feature flag of the plan table, enforced with SMTPD-style errors (ours: the docs
// list none). The monthly send limit has its own test in send.test.ts.

const DEMO_ACCOUNT = '811affc1-66c7-4982-b39e-29f9536b4720'
const [FREE, STARTUP, BUSINESS] = [PLANS[0].plan_id, PLANS[1].plan_id, PLANS[2].plan_id]
const onPlan = (plan_id: string) =>
  t.ctx.storage.updateMany({ model: ACCOUNT, where: { field: 'id', value: DEMO_ACCOUNT }, set: { plan_id } })

const TEMPLATE = {
  template_name: 'welcome',
  content_html: '<p>Hi</p>',
  content_text: 'Hi',
  from_email_address: 'news@example.com',
  from_name: 'News',
  reply_to: 'help@example.com',
  open_tracking: false,
  link_tracking: false,
  tags: [],
}
const FORM = {
  form_name: 'signup',
  link_domain: 'click.example.com',
  notification_email_address: 'jack.truong@example.com',
  required_fields: ['email'],
  default_redirect: 'https://example.com/',
  success_redirect: 'https://example.com/thanks',
  failure_redirect: 'https://example.com/sorry',
  tags: [],
  enable_email_notification: false,
}

beforeEach(() => setup())

describe('plan limits', () => {
  it('max_sending_profiles: free holds one (the demo profile), startup two', async () => {
    await onPlan(FREE)
    expect(await req('POST', '/api/v1/profile/email', PROFILE)).toMatchObject({
      status: 403,
      body: { code: 40304, message: 'The sending profile limit of the plan has been reached' },
    })
    // The older path family counts the same profiles.
    expect((await req('POST', '/api/v1/email/profile', PROFILE)).body.code).toBe(40304)
    await onPlan(STARTUP)
    expect((await req('POST', '/api/v1/profile/email', PROFILE)).status).toBe(202)
    const third = await req('POST', '/api/v1/profile/email', { ...PROFILE, profile_name: 'third' })
    expect(third.body).toEqual({
      code: 40304,
      message: 'The sending profile limit of the plan has been reached',
    })
    expect((await req('GET', '/api/v1/profile/email')).body).toHaveLength(2)
  })

  it('templates: free holds 10; a new revision is not a new template', async () => {
    await onPlan(FREE)
    let id = ''
    for (let i = 0; i < 10; i++) {
      const r = await req('POST', '/api/v1/email/template', { ...TEMPLATE, template_name: `t${i}` })
      expect(r.status).toBe(201)
      id = r.body.template_id
    }
    expect(await req('POST', '/api/v1/email/template', TEMPLATE)).toMatchObject({
      status: 403,
      body: { code: 40305, message: 'The template limit of the plan has been reached' },
    })
    expect((await req('POST', `/api/v1/email/template/${id}`, TEMPLATE)).body).toEqual({
      template_id: id,
      revision: 2,
    })
  })

  it('forms: free holds one live form; a disabled one frees its place', async () => {
    await onPlan(FREE)
    const first = await req('POST', '/api/v1/email/form', FORM)
    expect(first.status).toBe(200)
    expect(await req('POST', '/api/v1/email/form', { ...FORM, form_name: 'second' })).toMatchObject({
      status: 403,
      body: { code: 40306, message: 'The form limit of the plan has been reached' },
    })
    expect((await req('PUT', `/api/v1/email/form/${first.body.form_id}/disable`)).status).toBe(200)
    expect((await req('POST', '/api/v1/email/form', { ...FORM, form_name: 'second' })).status).toBe(200)
  })

  it('API keys: free holds two active keys (the demo key and one more); a revoked one frees its place', async () => {
    await onPlan(FREE)
    const second = await req('POST', '/api/v1/account/api_key', { role: 'read_only', name: 'second' })
    expect(second.status).toBe(201)
    expect(await req('POST', '/api/v1/account/api_key', { role: 'read_only', name: 'third' })).toMatchObject({
      status: 403,
      body: { code: 40307, message: 'The API key limit of the plan has been reached' },
    })
    expect((await req('PUT', `/api/v1/account/api_key/${second.body.ID}/revoke`)).status).toBe(200)
    expect((await req('POST', '/api/v1/account/api_key', { role: 'read_only', name: 'third' })).status).toBe(
      201,
    )
  })

  it('reporting: free has none, startup the summary (basic), business the breakdowns too (advanced)', async () => {
    const summary = '/api/v1/analysis/summary'
    const breakdowns = [
      '/api/v1/analysis/engagement/delivery/domain/summary',
      '/api/v1/analysis/engagement/device/summary',
      '/api/v1/analysis/bounce/summary',
      '/api/v1/analysis/bounce/domain/summary',
    ]
    const basic = { code: 40303, message: 'Your plan does not include basic reporting' }
    const advanced = { code: 40303, message: 'Your plan does not include advanced reporting' }
    await onPlan(FREE)
    expect(await req('GET', summary)).toMatchObject({ status: 403, body: basic })
    for (const path of breakdowns)
      expect(await req('GET', path)).toMatchObject({ status: 403, body: advanced })
    await onPlan(STARTUP)
    expect((await req('GET', summary)).status).toBe(200)
    for (const path of breakdowns)
      expect(await req('GET', path)).toMatchObject({ status: 403, body: advanced })
    await onPlan(BUSINESS)
    for (const path of [summary, ...breakdowns]) expect((await req('GET', path)).status).toBe(200)
  })

  it('max_retention_days: sends older than the plan keeps are gone from lookups and reports', async () => {
    const now = t.ctx.clock.now()
    const [profile] = (await req('GET', '/api/v1/profile/email')).body
    const old = async (days: number) =>
      (
        await t.ctx.storage.create<{ id: string }>({
          model: SEND_MODEL,
          data: {
            account_id: DEMO_ACCOUNT,
            send_key: `old${days}`,
            sending_profile_id: profile.profile_id,
            ...SEND,
            tags: [],
            state: 'accepted',
            state_category: 'accepted',
            created_at: now - days * 86_400_000,
            modified_at: now,
          },
        })
      ).id
    const eightDays = await old(8)
    const sixDays = await old(6)
    const listed = async () =>
      (await req('GET', '/api/v1/email/send')).body.map((s: { send_id: string }) => s.send_id)
    await onPlan(STARTUP) // 30 days
    expect(await listed()).toEqual([sixDays, eightDays])
    await onPlan(FREE) // 7 days
    expect(await listed()).toEqual([sixDays])
    expect((await req('GET', '/api/v1/email/send/search?q=jane')).body).toHaveLength(1)
    for (const path of ['', '/events', '/content/html'])
      expect(await req('GET', `/api/v1/email/send/${eightDays}${path}`)).toMatchObject({
        status: 404,
        body: { code: 40401, message: 'Resource ID provided is invalid' },
      })
    expect((await req('GET', `/api/v1/email/send/${sixDays}`)).status).toBe(200)
  })

  it('max_retention_days: reports count only the events the plan keeps', async () => {
    const now = t.ctx.clock.now()
    for (const days of [40, 20])
      await t.ctx.storage.create({
        model: SEND_EVENT,
        data: {
          send_id: `s${days}`,
          account_id: DEMO_ACCOUNT,
          type: 'delivered',
          detail: '',
          recipient_domain: 'example.org',
          user_agent: '',
          created_at: now - days * 86_400_000,
        },
      })
    const from = Math.floor((now - 60 * 86_400_000) / 1000)
    const delivered = async () =>
      (await req('GET', `/api/v1/analysis/summary?from=${from}`)).body.group_by.delivered.current
    await onPlan(BUSINESS) // 90 days
    expect(await delivered()).toBe(2)
    await onPlan(STARTUP) // 30 days
    expect(await delivered()).toBe(1)
  })
})
