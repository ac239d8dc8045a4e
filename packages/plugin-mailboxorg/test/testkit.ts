import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { expect } from 'vitest'
import { demo } from '../src/demo.ts'
import { fixtures } from '../src/fixtures.ts'
import { type MailboxorgDeps, mailboxorgPlugin } from '../src/index.ts'

// For the tests: the plugin mounted over the demo fixtures, and JSON-RPC calls as a client makes them.

/** A copy of the plugin's demo data (a test may change what it loads). */
export const DEMO = structuredClone(demo.data)

export interface RpcAnswer {
  jsonrpc: '2.0'
  id: unknown
  result?: any
  error?: { code: number; message: string; data?: unknown }
}

/** POST a raw body to the endpoint as a client would; the status and the parsed answer (null for 204). */
export async function postRpc(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/',
) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  if (res.status === 204) return { status: 204, body: null }
  expect(res.headers.get('content-type')).toBe('application/json')
  return { status: res.status, body: JSON.parse(await res.text()) }
}

export async function startApp(deps: MailboxorgDeps = {}, options: Record<string, string> = {}) {
  const ctx: TestContext = createTestContext({ options: envOptions(mailboxorgPlugin(), options) })
  const { app } = await mountPluginForTest(mailboxorgPlugin(deps), ctx)
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))

  const post = (body: unknown, headers: Record<string, string> = {}) => postRpc(app, body, headers)
  async function call(method: string, params: unknown = '', session?: string): Promise<RpcAnswer> {
    return (await post({ jsonrpc: '2.0', id: '1', method, params }, session ? { 'HPLS-AUTH': session } : {}))
      .body
  }
  /** The result, failing the test with the error when there is one. */
  async function ok(method: string, params: unknown = '', session?: string) {
    const r = await call(method, params, session)
    expect(r.error, `${method}: ${JSON.stringify(r.error)}`).toBeUndefined()
    return r.result
  }
  async function login(user: string, pass: string): Promise<string> {
    return (await ok('auth', { user, pass })).session
  }
  return { ctx, app, post, call, ok, login }
}
export type TestApp = Awaited<ReturnType<typeof startApp>>
