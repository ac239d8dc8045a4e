import { encodeBasic } from '@mailfront/core'
import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { expect } from 'vitest'
import { demo } from '../src/demo.ts'
import { ERRORS } from '../src/errors.ts'
import { fixtures } from '../src/fixtures.ts'
import { smtpdPlugin } from '../src/index.ts'

// The harness of the plugin's auth and account tests (src/{tokens,account,plugin}.test.ts): the plugin
// mounted over the demo fixtures, JSON requests, grants, and the error check.

// A copy of the plugin's demo data: a test may change what it loads.
const DEMO = structuredClone(demo.data)
export const JACK = encodeBasic('jack.truong@example.com', 'demo-password')
export const KEY = encodeBasic('demo-key', 'demo-secret')
export const DAY = 86_400_000

export let ctx: TestContext
export let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

export async function setup(options: Record<string, string> = {}, over: Partial<TestContext> = {}) {
  ctx = createTestContext({ options: envOptions(smtpdPlugin(), options), ...over })
  ;({ app } = await mountPluginForTest(smtpdPlugin(), ctx))
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
}

export async function req(
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
export const grant = (auth = JACK) => req('POST', '/oauth/token?grant_type=password', { auth })
export const refresh = (token: string, headers: Record<string, string> = {}) =>
  req('POST', '/oauth/token?grant_type=refresh_token', { body: { refresh_token: token }, headers })
export const bearer = (t: string) => `Bearer ${t}`
export const expectError = (
  r: { status: number; body: unknown },
  name: keyof typeof ERRORS,
  status: number = ERRORS[name].status,
) => {
  expect(r.status).toBe(status)
  expect((r.body as { code: number }).code).toBe(ERRORS[name].code)
}
