import { beforeEach, describe, expect, it } from 'vitest'
import {
  activeProfile,
  eventually,
  expectError,
  JACK,
  login,
  PROFILE,
  req,
  SEND,
  setup,
  t,
} from '../test/harness.ts'

// HTTP tests of templates, forms and the analysis summaries (the unit-test mail stand-in: see
// test/unit-mail-service.ts; the end-to-end proof is apps/server/test/smtpd-send-e2e.test.ts).

const settle = () => new Promise((r) => setTimeout(r, 20))
const TEMPLATE = {
  template_name: 'welcome',
  content_html: '<p>Welcome!</p>',
  content_text: 'Welcome!',
  from_email_address: 'hello@mail.example.com',
  from_name: 'Example',
  reply_to: 'help@example.com',
  open_tracking: false,
  link_tracking: false,
  tags: ['onboarding'],
}
const FORM = {
  form_name: 'Contact us',
  link_domain: 'links.example.com',
  notification_email_address: 'sales@example.com',
  required_fields: ['email', 'name'],
  default_redirect: 'https://example.com/contact',
  success_redirect: 'https://example.com/thanks',
  failure_redirect: 'https://example.com/oops',
  tags: ['local'],
  enable_email_notification: true,
}
// The client address as the harness takes it (the third argument of app.request()).
const submit = (key: string, body: string, type = 'application/x-www-form-urlencoded', ip = '') =>
  t.app.request(
    `/f/${key}`,
    { method: 'POST', headers: { 'Content-Type': type }, body },
    {
      mailfront: { ip, requestId: 'r', secure: true },
    },
  )

beforeEach(async () => {
  await setup()
  await activeProfile()
})

describe('templates', () => {
  it('create (201, revision 1), new revision (2), set latest (null), send from a template and a revision', async () => {
    const created = await req('POST', '/api/v1/email/template', TEMPLATE)
    expect(created.status).toBe(201)
    expect(Object.keys(created.body)).toEqual(['template_id', 'revision'])
    const id = created.body.template_id
    expect(created.body.revision).toBe(1)
    const r2 = await req('POST', `/api/v1/email/template/${id}`, {
      ...TEMPLATE,
      content_text: 'Welcome, v2!',
      subject: 'Hi v2',
    })
    expect(r2).toMatchObject({ status: 200, body: { template_id: id, revision: 2 } })

    const send = async (extra: object = {}) => {
      const r = await req('POST', '/api/v1/email/send', {
        template_id: id,
        recipient_email_address: 'jane@example.org',
        recipient_name: 'Jane',
        ...extra,
      })
      expect(r.status).toBe(202)
      return { send: r.body, raw: Buffer.from(t.mail.last().raw).toString() }
    }
    const latest = await send({ tags: ['x'] })
    expect(latest.send).toMatchObject({
      subject: 'Hi v2',
      from_email_address: 'hello@mail.example.com',
      tags: ['onboarding', 'welcome', 'x'],
    })
    expect(latest.raw).toContain('Welcome, v2!')
    const first = await send({ template_revision: 1 })
    expect(first.send.subject).toBe('welcome')
    expect(first.raw).toContain('Welcome!')

    const set = await req('POST', `/api/v1/email/template/${id}/latest`, { revision: 1 })
    expect(set).toMatchObject({ status: 200, body: null })
    expect((await send()).send.subject).toBe('welcome')

    expectError(await req('POST', `/api/v1/email/template/${id}/latest`, { revision: 9 }), 'BAD_ID')
    expectError(
      await req('POST', '/api/v1/email/send', {
        template_id: id,
        template_revision: 9,
        recipient_email_address: 'a@b.org',
      }),
      'BAD_ID',
    )
    expectError(
      await req('POST', '/api/v1/email/send', {
        template_id: '00000000-0000-4000-8000-000000000000',
        recipient_email_address: 'a@b.org',
      }),
      'BAD_ID',
    )
    expectError(
      await req('POST', '/api/v1/email/template', { ...TEMPLATE, content_html: '', content_text: '' }),
      'VALIDATION_FAILED',
    )
  })
})

describe('forms', () => {
  it('create (200, creating), get (active), submit → notification + success, missing field → failure, disable', async () => {
    const created = await req('POST', '/api/v1/email/form', FORM)
    expect(created.status).toBe(200)
    const f = created.body
    expect(Object.keys(f)).toEqual([
      'form_id',
      'form_key',
      'form_name',
      'sending_profile_id',
      'notification_email_address',
      'enable_email_notification',
      'notification_email_address_verified',
      'form_endpoint',
      'default_redirect',
      'success_redirect',
      'failure_redirect',
      'required_fields',
      'tags',
      'state',
      'created_at_utc',
      'modified_at_utc',
    ])
    expect(f).toMatchObject({
      state: 'creating',
      notification_email_address_verified: false,
      required_fields: ['email', 'name'],
    })
    expect(f.form_key).toMatch(/^[0-9A-Za-z]{27}$/)
    expect(f.form_endpoint).toBe(`https://links.example.com/f/${f.form_key}`)
    await settle()
    expect((await req('GET', `/api/v1/email/form/${f.form_id}`)).body.state).toBe('active')

    const bad = await submit(f.form_key, 'email=ann%40example.org')
    expect(bad.status).toBe(303)
    expect(bad.headers.get('location')).toBe('https://example.com/oops')
    const before = t.mail.messages.size
    const ok = await submit(
      f.form_key,
      JSON.stringify({ email: 'ann@example.org', name: 'Ann', note: 'call me' }),
      'application/json',
    )
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('https://example.com/thanks')
    expect(t.mail.messages.size).toBe(before + 1)
    const raw = Buffer.from(t.mail.last().raw).toString()
    expect(raw).toContain('To: sales@example.com')
    expect(raw).toContain('Reply-To: ann@example.org')
    expect(raw).toContain('name: Ann')
    const sends = (await req('GET', '/api/v1/email/send')).body
    expect(sends[0]).toMatchObject({ from_email_address: 'forms@mail.example.com', tags: ['form', 'local'] })

    const visit = await t.app.request(`/f/${f.form_key}`)
    expect(visit.status).toBe(302)
    expect(visit.headers.get('location')).toBe('https://example.com/contact')

    expect(await req('PUT', `/api/v1/email/form/${f.form_id}/disable`)).toMatchObject({
      status: 200,
      body: null,
    })
    expect((await req('GET', `/api/v1/email/form/${f.form_id}`)).body.state).toBe('disabled')
    const off = await submit(f.form_key, 'email=a%40b.org&name=A')
    expect(off.headers.get('location')).toBe('https://example.com/oops')
    expect(t.mail.messages.size).toBe(before + 1)
  })

  it("a form post's notification held (slow@) ends with the request: its signal aborted, failure, nothing sent", async () => {
    const f = (await req('POST', '/api/v1/email/form', FORM)).body
    await settle()
    t.mail.hold = true
    const client = new AbortController()
    const answer = t.app.request(
      `/f/${f.form_key}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'email=ann%40example.org&name=Ann',
        signal: client.signal,
      },
      { mailfront: { ip: '', requestId: 'r', secure: true } },
    )
    await eventually(
      async () => t.mail.held.length,
      (n) => n === 1,
    )
    client.abort('Client connection prematurely closed.')
    expect((await answer).headers.get('location')).toBe('https://example.com/oops')
    expect(t.mail.messages.size).toBe(0)
    expect((await req('GET', '/api/v1/email/send')).body[0]).toMatchObject({
      state: 'rejected',
      error: '421 4.4.2 Client went away before acceptance',
    })
  })

  it('needs an active profile for its link domain; unknown forms are 404', async () => {
    expectError(
      await req('POST', '/api/v1/email/form', { ...FORM, link_domain: 'links.other.example' }),
      'DOMAIN_NOT_READY',
    )
    await req('POST', '/api/v1/profile/email', {
      ...PROFILE,
      profile_name: 'p2',
      link_domain: 'l2.example.com',
    })
    expectError(
      await req('POST', '/api/v1/email/form', { ...FORM, link_domain: 'l2.example.com' }),
      'DOMAIN_NOT_READY',
    )
    expectError(await req('GET', '/api/v1/email/form/00000000-0000-4000-8000-000000000000'), 'BAD_ID')
    expect((await submit('nope', 'a=b')).status).toBe(404)
  })
})

describe('form post limits', () => {
  const createForm = async () => {
    const f = (await req('POST', '/api/v1/email/form', FORM)).body
    await settle()
    return f
  }
  const post = (key: string, ip: string) => submit(key, 'email=ann%40example.org&name=Ann', undefined, ip)

  it('300 posts from one address: 20 notifications, then 429 RATE_LIMITED with Retry-After; other addresses still pass', async () => {
    const f = await createForm()
    const before = t.mail.messages.size
    const statuses = new Map<number, number>()
    let refused: Response | undefined
    for (let i = 0; i < 300; i++) {
      const r = await post(f.form_key, '203.0.113.7')
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
      if (r.status === 429) refused ??= r
      else await r.arrayBuffer()
    }
    expect(Object.fromEntries(statuses)).toEqual({ 303: 20, 429: 280 })
    expect(t.mail.messages.size).toBe(before + 20)
    expect(refused!.headers.get('retry-after')).toBe('600')
    expect(await refused!.json()).toEqual({ code: 42901, message: 'Too many requests' })
    // Another address is counted apart; the window's end lets the first one post again.
    expect((await post(f.form_key, '203.0.113.8')).status).toBe(303)
    t.ctx.clock.advance(600_000)
    expect((await post(f.form_key, '203.0.113.7')).status).toBe(303)
    expect(t.mail.messages.size).toBe(before + 22)
  })

  it('per form, from all addresses: the form limit holds posts from many addresses; the options set both', async () => {
    await setup({ formPostsPerAddress: '3', formPostsPerForm: '10', formWindowS: '60' })
    await activeProfile()
    const f = await createForm()
    const before = t.mail.messages.size
    const results: number[] = []
    for (let i = 0; i < 40; i++) results.push((await post(f.form_key, `198.51.100.${i % 8}`)).status)
    // 8 addresses × 3 allowed would be 24; the form stops at 10.
    expect(results.filter((s) => s === 303)).toHaveLength(10)
    expect(results.filter((s) => s === 429)).toHaveLength(30)
    expect(t.mail.messages.size).toBe(before + 10)
    const r = await post(f.form_key, '198.51.100.99')
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('60')
    // Counted in the core's rate-limit store (Redis across instances), under the form's key.
    const [state] = await t.ctx.rateLimits.peek([`smtpd-form:${f.form_id}`])
    expect(state!.count).toBeGreaterThanOrEqual(10)
  })
})

describe('analysis', () => {
  it('summary (current, previous, delta), deliveries and bounces by domain and code, over from/to in s or ms', async () => {
    const sendTo = async (to: string) => {
      await req('POST', '/api/v1/email/send', { ...SEND, recipient_email_address: to })
      await settle()
      return t.mail.last().summary.id
    }
    // One delivery in the previous period, then two deliveries and a bounce now.
    t.mail.emit({ type: 'delivered', messageId: await sendTo('a@gmail.com'), response: '250 ok' })
    await settle()
    t.ctx.clock.advance(2 * 86_400_000)
    t.token = await login(JACK)
    const now = t.ctx.clock.now()
    t.mail.emit({ type: 'delivered', messageId: await sendTo('b@gmail.com'), response: '250 ok' })
    t.mail.emit({ type: 'delivered', messageId: await sendTo('c@hotmail.com'), response: '250 ok' })
    t.mail.emit({ type: 'bounced', messageId: await sendTo('d@hotmail.com'), response: '550 5.1.1 unknown' })
    await settle()
    const from = now - 86_400_000
    for (const q of [
      `from=${Math.floor(from / 1000)}&to=${Math.floor(now / 1000)}`,
      `from=${from}&to=${now}`,
    ]) {
      const s = await req('GET', `/api/v1/analysis/summary?${q}`)
      expect(s.status).toBe(200)
      expect(s.body.group_by.delivered).toEqual({ current: 2, previous: 1, delta: 1 })
      expect(s.body.group_by.accepted).toEqual({ current: 3, previous: 1, delta: 2 })
      expect(s.body.group_by.bounce).toEqual({ current: 1, previous: 0, delta: 1 })
      expect(Object.keys(s.body.group_by)).toEqual([
        'accepted',
        'bounce',
        'click',
        'delivered',
        'open',
        'processed',
        'queued',
        'rejected',
        'sent',
      ])
      expect(s.body.period).toEqual(
        q.includes(`${from}`)
          ? { from, to: now }
          : { from: Math.floor(from / 1000), to: Math.floor(now / 1000) },
      )
    }
    expect((await req('GET', '/api/v1/analysis/engagement/delivery/domain/summary')).body).toMatchObject({
      total: 3,
      group_by: { 'gmail.com': 2, 'hotmail.com': 1 },
    })
    expect((await req('GET', '/api/v1/analysis/bounce/summary')).body).toMatchObject({
      total: 1,
      group_by: { '550': 1 },
    })
    expect((await req('GET', '/api/v1/analysis/bounce/domain/summary')).body).toMatchObject({
      total: 1,
      group_by: { 'hotmail.com': 1 },
    })
    expect((await req('GET', `/api/v1/analysis/summary?from=1&to=${Math.floor(now / 1000)}`)).body).toEqual({
      code: 40001,
      message: 'Validation failed: to: the period is at most 365 days',
    })
    expectError(await req('GET', `/api/v1/analysis/summary?from=${now}&to=${from}`), 'VALIDATION_FAILED')
    expectError(await req('GET', '/api/v1/analysis/summary?from=yesterday'), 'VALIDATION_FAILED')
  })
})
