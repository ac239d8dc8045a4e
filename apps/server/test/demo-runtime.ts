import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from '../src/runtime.ts'

/**
 * An in-memory runtime with the demo data, AuthSMTP's rate window off, and the demo's logins: shared
 * by the server's unit tests (admin API, redaction, logins, routing). A test helper, so it lives out
 * of src/ and never ships in dist (startMailfront, the testing entry, needs none of it).
 */
export const tmailAdmin = { Authorization: encodeBasic('admin', 'admin') }
export const authsmtpAuth = { Authorization: encodeBasic('aa12345', 'demo-api-password') }

export async function runtime(env: Record<string, string> = {}): Promise<Runtime> {
  const rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
      ...env,
    }),
    silentLogger,
    { inProcessIsLocal: true },
  )
  await loadStartupFixtures(rt)
  return rt
}

export const post = (rt: Runtime, path: string, body?: unknown) =>
  rt.app.request(path, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : {
          headers: { 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  })

/** A mailbox.org JSON-RPC call on the runtime's app (`session`: its HPLS-AUTH header). */
export function mailboxRpc<T = { result?: { session?: string }; error?: { code: number } }>(
  rt: () => Runtime,
) {
  return async (method: string, params: unknown, session?: string): Promise<T> =>
    (await (
      await rt().app.request('/v1/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(session ? { 'HPLS-AUTH': session } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: '1', method, params }),
      })
    ).json()) as T
}

/** One runtime for a describe block, its faults cleared before each test (the fault tests). */
export function runtimeClearingFaults(): () => Runtime {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())
  beforeEach(async () => {
    expect((await rt.app.request('/_mailfront/faults', { method: 'DELETE' })).status).toBe(204)
  })
  return () => rt
}
