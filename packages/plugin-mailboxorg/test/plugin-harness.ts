import { createTestContext, envOptions, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { fixtures } from '../src/fixtures.ts'
import { mailboxorgPlugin } from '../src/index.ts'
import { DEMO, postRpc } from './testkit.ts'

// The plugin tests' shared app: one mounted over the demo fixtures per `setup()`. `ctx` and `app` are
// live bindings, so a test file reads the current ones after each setup.

export let ctx: TestContext
export let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']

export async function setup(options: Record<string, string> = {}) {
  ctx = createTestContext({ options: envOptions(mailboxorgPlugin(), options) })
  await remount()
  await fixtures.load(ctx, fixtures.schema.parse(DEMO))
}

/** Mount the plugin again on the same context (e.g. after changing `ctx.bodyLimit`). */
export async function remount() {
  ;({ app } = await mountPluginForTest(mailboxorgPlugin(), ctx))
}

/** POST a raw body to /v1/ as a client would; the parsed answer (null for 204). */
export const post = (body: unknown, headers: Record<string, string> = {}, path = '/v1/') =>
  postRpc(app, body, headers, path)
export const call = async (
  method: string,
  params: unknown = '',
  session?: string,
  extra: Record<string, string> = {},
) =>
  (
    await post(
      { jsonrpc: '2.0', id: '1', method, params },
      { ...(session ? { 'HPLS-AUTH': session } : {}), ...extra },
    )
  ).body
export const login = async (user: string, pass: string) =>
  (await call('auth', { user, pass })).result.session as string
