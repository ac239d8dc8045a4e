import { readFileSync } from 'node:fs'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { expect } from 'vitest'
import { fixtures } from './fixtures.ts'
import { type MailboxorgDeps, mailboxorgPlugin } from './index.ts'

// For the tests: the plugin mounted over the demo fixtures, and JSON-RPC calls as a client makes them.

export const DEMO = JSON.parse(
  readFileSync(new URL('../../../fixtures/demo.json', import.meta.url), 'utf8'),
).mailboxorg

export interface RpcAnswer {
  jsonrpc: '2.0'
  id: unknown
  result?: any
  error?: { code: number; message: string; data?: unknown }
}

export async function startApp(deps: MailboxorgDeps = {}, options: Record<string, string> = {}) {
  const ctx: TestContext = createTestContext({ options })
  const { app } = await mountPluginForTest(mailboxorgPlugin(deps), ctx)
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))

  /** POST a raw body to /v1/; the status and the parsed answer (null for 204). */
  async function post(body: unknown, headers: Record<string, string> = {}) {
    const res = await app.request('/v1/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    if (res.status === 204) return { status: 204, body: null }
    expect(res.headers.get('content-type')).toBe('application/json')
    return { status: res.status, body: JSON.parse(await res.text()) }
  }
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
