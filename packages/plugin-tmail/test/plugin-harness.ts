import { encodeBasic, preparePlugin } from '@mailfront/core'
import { createTestContext, mountPluginForTest, type TestContext } from '@mailfront/core/testing'
import { expect } from 'vitest'
import { fixtures } from '../src/fixtures.ts'
import { tmailPlugin } from '../src/index.ts'

// The harness of the plugin's HTTP tests (src/{plugin,users,queue}.test.ts): the plugin mounted over
// the seed's admin and queue, requests as the admin, and the exact error check.

export let ctx: TestContext
export let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
export const ADMIN = encodeBasic('admin', 'admin')
export const TYPE = 'application/json; charset=UTF-8'

export const SEED_QUEUE = [
  {
    Id: 1,
    Uuid: '5217dfdc96d7216d7074b329f88d11f76dee997b',
    MailFrom: 'toorop@tmail.io',
    AuthUser: 'toorop@tmail.io',
    RcptTo: 'toorop@toorop.fr',
    MessageId: '5528C725.8060007@tmail.io',
    Host: 'toorop.fr',
    LastUpdate: '2015-04-11T09:03:02.737629459+02:00',
    AddedAt: '2015-04-11T09:03:02.737629459+02:00',
    NextDeliveryScheduledAt: '2015-04-11T16:44:35.994411773+02:00',
    Status: 2,
    DeliveryFailedCount: 0,
  },
  {
    Id: 2,
    Uuid: 'bd36f47dab0e27482ce5db8605415e32978f0185',
    MailFrom: 'toorop@tmail.io',
    AuthUser: 'toorop@tmail.io',
    RcptTo: 'stephane@protecmail.com',
    MessageId: '5529331C.3050308@tmail.io',
    Host: 'protecmail.com',
    LastUpdate: '2015-04-11T16:43:41.965596115+02:00',
    AddedAt: '2015-04-11T16:43:41.965596115+02:00',
    NextDeliveryScheduledAt: '0001-01-01T00:09:21+00:09',
    Status: 0,
    DeliveryFailedCount: 0,
  },
]

export async function setup(options: Record<string, string> = {}, over: Partial<TestContext> = {}) {
  const plugin = tmailPlugin()
  // Prepared here, so that fixtures and queue calls below see its parsed options and state.
  ctx = preparePlugin(plugin, createTestContext({ options, ...over }))
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
