import {
  CORE_ERRORS,
  CoreErrorCodes,
  encodeBasic,
  StoreUnavailableError,
  undeclaredRoutes,
} from '@mailfront/core'
import {
  createTestContext,
  envOptions,
  mountPluginForTest,
  preparePlugin,
  type TestContext,
} from '@mailfront/core/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { demo } from './demo.ts'
import { ERRORS } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { examplePlugin } from './index.ts'
import type { ExampleOptions } from './options.ts'
import type { ExampleState } from './setup.ts'

let ctx: TestContext<ExampleOptions, ExampleState>
let app: Awaited<ReturnType<typeof mountPluginForTest>>['app']
let pluginApp: Awaited<ReturnType<typeof mountPluginForTest>>['pluginApp']
const ADMIN = encodeBasic('admin', 'demo-admin-password')

/** Mount the plugin over the memory store and load the demo data, as a first start would. */
async function setup(options: Record<string, string> = {}) {
  const plugin = examplePlugin()
  // Prepared here, so that the fixtures below see its parsed options and state.
  ctx = preparePlugin(plugin, createTestContext({ options: envOptions(plugin, options) }))
  ;({ app, pluginApp } = await mountPluginForTest(plugin, ctx))
  await fixtures.load(ctx, fixtures.schema.parse(demo.data))
}

const req = (method: string, path: string, body?: unknown, auth = ADMIN) =>
  app.request(path, {
    method,
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })

beforeEach(() => setup())

describe('aliases', () => {
  it('lists the aliases in address order, filtered by domain', async () => {
    const res = await req('GET', '/example/aliases')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const { aliases } = await res.json()
    expect(aliases.map((a: { address: string }) => a.address)).toEqual([
      'info@aliases.test',
      'postmaster@aliases.test',
    ])
    expect(aliases[0]).toEqual({
      address: 'info@aliases.test',
      destinations: ['alice@aliases.test', 'bob@aliases.test'],
      comment: '',
      createdAt: '2026-06-10T17:40:30.000Z',
      updatedAt: '2026-06-10T17:40:30.000Z',
    })
    expect((await (await req('GET', '/example/aliases?domain=other.test')).json()).aliases).toEqual([])
  })

  it('creates (201), replaces (200), reads case-insensitively and deletes (204)', async () => {
    const created = await req('PUT', '/example/aliases/Sales@Aliases.test', {
      destinations: ['Bob@aliases.test'],
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({
      address: 'sales@aliases.test',
      destinations: ['bob@aliases.test'],
    })
    ctx.clock.advance(1000)
    const replaced = await req('PUT', '/example/aliases/sales@aliases.test', {
      destinations: ['carol@aliases.test'],
      comment: 'team',
    })
    expect(replaced.status).toBe(200)
    const body = await replaced.json()
    expect(body).toMatchObject({ destinations: ['carol@aliases.test'], comment: 'team' })
    expect(body.updatedAt > body.createdAt).toBe(true)
    expect((await req('GET', '/example/aliases/SALES@aliases.test')).status).toBe(200)
    const del = await req('DELETE', '/example/aliases/sales@aliases.test')
    expect(del.status).toBe(204)
    expect(await del.text()).toBe('')
    const gone = await req('GET', '/example/aliases/sales@aliases.test')
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({
      error: { code: 'NO_SUCH_ALIAS', message: 'No such alias sales@aliases.test' },
    })
  })
})

describe('validation, from the route definitions', () => {
  it('refuses a bad address or body with the problems listed', async () => {
    const res = await req('PUT', '/example/aliases/not-an-address', { destinations: [] })
    expect(res.status).toBe(400)
    const { error } = await res.json()
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details[0].path).toBe('address')
    const body = await req('PUT', '/example/aliases/a@aliases.test', { destinations: ['x'], extra: 1 })
    expect((await body.json()).error.code).toBe('VALIDATION_FAILED')
  })

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await req('PUT', '/example/aliases/a@aliases.test', '{"destinations":')
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('BAD_REQUEST')
  })

  it('applies the option MAX_DESTINATIONS (422)', async () => {
    await setup({ maxDestinations: '1' })
    const res = await req('PUT', '/example/aliases/a@aliases.test', {
      destinations: ['b@aliases.test', 'c@aliases.test'],
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      error: { code: 'TOO_MANY_DESTINATIONS', message: 'At most 1 destinations' },
    })
  })

  it('answers an unknown path in its namespace with its own 404', async () => {
    const res = await req('GET', '/example/nope')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } })
  })
})

describe('auth', () => {
  it('challenges a request without credentials, before validating it', async () => {
    const res = await app.request('/example/aliases/not-an-address')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="example"')
    expect(await res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Authentication required' } })
  })

  it('refuses a wrong password, pays the slow hash once per right credential', async () => {
    expect((await req('GET', '/example/aliases', undefined, encodeBasic('admin', 'wrong'))).status).toBe(401)
    expect(ctx.counters.authFailures).toBe(1)
    const before = ctx.counters.slowHashes
    for (let i = 0; i < 3; i++) expect((await req('GET', '/example/aliases')).status).toBe(200)
    expect(ctx.counters.slowHashes - before).toBe(1)
  })

  it('throttles failed logins: 429 with Retry-After, even for the right password', async () => {
    await setup({ loginFailures: '2' })
    const wrong = encodeBasic('admin', 'wrong')
    for (let i = 0; i < 2; i++)
      expect((await req('GET', '/example/aliases', undefined, wrong)).status).toBe(401)
    const res = await req('GET', '/example/aliases')
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await res.json()).error.code).toBe('TOO_MANY_ATTEMPTS')
  })

  it('without the challenge option, a 401 carries no WWW-Authenticate', async () => {
    await setup({ challenge: 'false' })
    const res = await app.request('/example/aliases')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBeNull()
  })
})

describe('fixtures and docs', () => {
  it('export gives back what load takes (secrets as hashes), idempotently', async () => {
    const out = await fixtures.export(ctx)
    expect(out.admin?.password).toMatch(/^\$2[aby]\$10\$/)
    expect(out.aliases).toHaveLength(2)
    expect(await fixtures.load(ctx, fixtures.schema.parse(out))).toEqual({ upserted: 3 })
    expect(await fixtures.export(ctx)).toEqual(out)
    expect((await req('GET', '/example/aliases')).status).toBe(200)
  })

  it("declares every route through the core's helper (the docs and the router are one table)", () => {
    expect(undeclaredRoutes(pluginApp)).toEqual([])
  })

  it('documents each route with its security scheme', () => {
    const doc = pluginApp.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    expect(Object.keys(doc.paths ?? {})).toEqual(['/example/aliases', '/example/aliases/{address}'])
    expect(doc.paths?.['/example/aliases/{address}']?.put?.security).toEqual([{ exampleBasic: [] }])
    expect(doc.components?.securitySchemes?.exampleBasic).toMatchObject({ type: 'http', scheme: 'basic' })
  })
})

describe('errors from the shared layers, in this format', () => {
  const plain = { mailfront: { requestId: 'r1', secure: false, ip: '192.0.2.1' } }

  it("gets the core's codes from the core, listing only the texts it words differently", () => {
    for (const code of Object.keys(CoreErrorCodes)) expect(ERRORS.table).toHaveProperty(code)
    expect(ERRORS.table.NOT_FOUND).toEqual(CORE_ERRORS.NOT_FOUND)
    expect(ERRORS.table.INTERNAL.message).toBe('Internal server error')
  })

  it('refuses plain HTTP when HTTPS is required (403), before auth', async () => {
    const plugin = examplePlugin()
    const { app } = await mountPluginForTest(plugin, createTestContext({ requireHttps: true }))
    const res = await app.request('/example/aliases', {}, plain)
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: { code: 'HTTPS_REQUIRED', message: 'HTTPS is required' } })
  })

  it('answers 413 for a body over the limit', async () => {
    const plugin = examplePlugin()
    const { app } = await mountPluginForTest(plugin, createTestContext({ bodyLimit: 16 }))
    const res = await app.request('/example/aliases/a@aliases.test', {
      method: 'PUT',
      headers: { Authorization: ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ destinations: ['someone@aliases.test'] }),
    })
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe('BODY_TOO_LARGE')
  })

  it('answers 503 with Retry-After while the store is unreachable, the cause unsaid', async () => {
    ctx.storage.findMany = () =>
      Promise.reject(new StoreUnavailableError('sqlite', new Error('disk I/O error')))
    const res = await req('GET', '/example/aliases')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(await res.json()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'Service temporarily unavailable' },
    })
  })
})
