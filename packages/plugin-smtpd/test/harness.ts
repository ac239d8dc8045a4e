import { encodeBasic } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { expect } from 'vitest'
import { demo } from '../src/demo.ts'
import { ERRORS } from '../src/errors.ts'
import { fixtures } from '../src/fixtures.ts'
import { type Resolver, smtpdPlugin } from '../src/index.ts'
import { inMemoryMailServiceForUnitTests } from './unit-mail-service.ts'

// The harness of the plugin's HTTP tests of sending: the demo fixtures, the owner's token, and the
// unit-test mail service whose events the tests drive by hand.

// A copy of the plugin's demo data: a test may change what it loads.
const DEMO = structuredClone(demo.data)
export const KEY = encodeBasic('demo-key', 'demo-secret')
export const JACK = encodeBasic('jack.truong@example.com', 'demo-password')

export const t = {} as {
  ctx: TestContext
  app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
  mail: ReturnType<typeof inMemoryMailServiceForUnitTests>
  token: string
  plugin: ReturnType<typeof smtpdPlugin>
}

export async function setup(
  options: Record<string, string> = {},
  o: { resolver?: Resolver; rejectOver?: number; noMail?: boolean; holdUntilAborted?: boolean } = {},
) {
  const ctx = createTestContext({ options: envOptions(smtpdPlugin(), options) })
  t.ctx = ctx
  t.mail = inMemoryMailServiceForUnitTests({
    now: () => ctx.clock.now(),
    ...(o.rejectOver ? { rejectOver: o.rejectOver } : {}),
    ...(o.holdUntilAborted ? { holdUntilAborted: true } : {}),
  })
  if (!o.noMail) ctx.mail = t.mail.service
  t.plugin = smtpdPlugin(o.resolver ? { resolver: o.resolver } : {})
  t.app = (await mountPluginForTest(t.plugin, ctx)).app
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
  t.token = await login(JACK)
}
export async function login(basic: string) {
  const r = await t.app.request('/oauth/token?grant_type=password', {
    method: 'POST',
    headers: { Authorization: basic },
  })
  return ((await r.json()) as { access_token: string }).access_token
}

export async function req(
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `Bearer ${t.token}`,
) {
  const res = await t.app.request(path, {
    method,
    headers: {
      ...(auth ? { Authorization: auth } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as any }
}
export const expectError = (r: { status: number; body: { code: number } }, name: keyof typeof ERRORS) => {
  expect(r.status).toBe(ERRORS[name].status)
  expect(r.body.code).toBe(ERRORS[name].code)
}
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 1000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const PROFILE = {
  profile_name: 'marketing',
  sending_domain: 'mail.example.com',
  link_domain: 'links.example.com',
  link_domain_default_redirect: 'https://example.com/',
  bounce_domain: 'bounce.example.com',
}
export async function activeProfile(base = '/api/v1/profile/email', body = PROFILE) {
  const created = await req('POST', base, body)
  expect(created.status).toBe(202)
  const id = created.body.profile_id as string
  expect((await req('PUT', `${base}/${id}/verify`)).status).toBe(202)
  const p = await eventually(
    () => req('GET', `${base}/${id}`),
    (r) => r.body.state === 'active',
  )
  expect(p.body.state).toBe('active')
  return id
}
export const SEND = {
  recipient_email_address: 'jane@example.org',
  recipient_name: 'Jane',
  from_email_address: 'news@mail.example.com',
  from_name: 'Example News',
  reply_to: 'help@example.com',
  subject: 'Hello',
  content_html: '<p>Hi <a href="https://example.com/offer?a=1&amp;b=2">the offer</a></p>',
  content_text: 'Hi, see https://example.com/offer',
  open_tracking: true,
  click_tracking: true,
  tags: null,
}
