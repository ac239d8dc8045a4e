import { encodeBasic } from '@mailfront/core'
import {
  createTestContext,
  envOptions,
  mountPluginForTest,
  preparePlugin,
  type TestContext,
} from '@mailfront/core/testing'
import { expect } from 'vitest'
import { demo } from '../src/demo.ts'
import { fixtures } from '../src/fixtures.ts'
import { tmailPlugin } from '../src/index.ts'
import type { TmailOptions } from '../src/options.ts'
import type { TmailState } from '../src/setup.ts'

// The harness of the plugin's HTTP tests (src/{plugin,users,queue}.test.ts): the plugin mounted over
// the seed's admin and queue, requests as the admin, and the exact error check.

export let ctx: TestContext<TmailOptions, TmailState>
export let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
export const ADMIN = encodeBasic('admin', 'admin')
export const TYPE = 'application/json; charset=UTF-8'

/** The seed document's queue entries (the demo data's). */
export const SEED_QUEUE = demo.data.queue

export async function setup(options: Record<string, string> = {}, over: Partial<TestContext> = {}) {
  const plugin = tmailPlugin()
  // Prepared here, so that fixtures and queue calls below see its parsed options and state.
  ctx = preparePlugin(plugin, createTestContext({ options: envOptions(plugin, options), ...over }))
  ;({ app } = await mountPluginForTest(plugin, ctx))
  await fixtures.load(
    ctx,
    fixtures.schema.parse({ admin: { login: 'admin', password: 'admin' }, queue: SEED_QUEUE }),
  )
}
export const req = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  app.request(path, {
    method,
    headers: { Authorization: ADMIN, Host: 'mail.example', ...headers },
    ...(body === undefined ? {} : { body }),
  })
export const create = (login: string, body: object | string) =>
  req('POST', `/users/${login}`, typeof body === 'string' ? body : JSON.stringify(body))
export const expectError = async (res: Response, status: number, msg: string, raw = '') => {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe(TYPE)
  expect(await res.text()).toBe(JSON.stringify({ msg, raw }))
}
