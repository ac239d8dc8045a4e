import { z } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { buildPluginApp } from '../compose.ts'
import { ApiError, defineErrors } from '../errors.ts'
import { type MailfrontPlugin, type PluginContext, silentLogger } from '../plugin.ts'
import { memoryRateLimitStore } from '../ratelimit/memory.ts'
import { memoryAdapter } from '../storage/memory.ts'
import { defineRoutes, undeclaredRoutes } from './route.ts'

const ctx = (): PluginContext => ({
  storage: memoryAdapter(),
  rateLimits: memoryRateLimitStore(),
  clock: createManualClock(),
  log: silentLogger,
  secret: 's',
  options: {},
  events: { authFailure() {}, rateLimited() {}, slowHash() {} },
  requireHttps: false,
  bodyLimit: 1024,
  state: undefined,
})

const errors = defineErrors({ FORBIDDEN: { status: 403, message: 'Forbidden' } })
const security = [{ key: [] }]
const Item = z.object({ name: z.string().min(2) })

function plugin(routes: MailfrontPlugin['http']['routes']): MailfrontPlugin {
  return {
    id: 'a',
    version: '1',
    http: {
      paths: ['/a/*'],
      routes,
      errors: errors.table,
      renderError: (e, c) => c.json({ code: e.code, message: e.message }, e.status as 400),
      docs: { kind: 'openapi', title: 'a' },
    },
  }
}

describe('defineRoutes', () => {
  const seen: string[] = []
  const app = buildPluginApp(
    plugin((app) => {
      const route = defineRoutes(app, {
        auth: async (c, need: 'write' | undefined) => {
          seen.push(`auth ${need}`)
          if (c.req.header('x-role') !== need) throw errors.FORBIDDEN()
          return { role: c.req.header('x-role') }
        },
        otherMethod: (c, allow) => c.body(null, 405, { Allow: allow }),
      })
      route(
        {
          method: 'post',
          path: '/a/items/{id}',
          security,
          need: 'write',
          request: {
            params: z.object({ id: z.string().regex(/^\d+$/) }),
            body: { required: true, content: { 'application/json': { schema: Item } } },
          },
          responses: { 201: { description: 'ok', content: { 'application/json': { schema: Item } } } },
        },
        (c, { auth, params, body }) => {
          seen.push(`handler ${auth.role} ${params.id}`)
          return c.json({ name: body.name }, 201)
        },
      )
      route(
        {
          method: 'get',
          path: '/a/items',
          aliases: ['/a/items/'],
          request: { query: z.object({ q: z.string() }) },
          decode: { query: (c) => ({ q: (c.req.query('q') ?? '').toUpperCase() }) },
          responses: { 200: { description: 'ok' } },
        },
        (c, { query }) => c.text(query.q),
      )
      route(
        {
          method: 'put',
          path: '/a/raw',
          request: { body: { content: { 'text/plain': { schema: z.string() } } } },
          decode: {
            body: async (c) => {
              const t = await c.req.text()
              if (!t) throw new ApiError('VALIDATION_FAILED', 400, 'empty')
              return t.trim()
            },
          },
          responses: { 200: { description: 'ok' } },
        },
        (c, { body }) => c.text(body),
      )
      route(
        {
          method: 'get',
          path: '/a/things/{id}',
          security,
          need: 'write',
          request: {
            params: z.object({ id: z.string().regex(/^\d+$/) }),
            query: z.object({ n: z.coerce.number().optional(), tag: z.array(z.string()).optional() }),
          },
          responses: { 200: { description: 'ok' } },
        },
        (c, { params, query }) => c.json({ id: params.id, ...query }),
      )
      route(
        {
          method: 'get',
          path: '/a/slow/{id}',
          // An async refinement: the synchronous parse cannot run it, the asynchronous one does.
          request: { params: z.object({ id: z.string().refine(async (v) => v !== 'no') }) },
          responses: { 200: { description: 'ok' } },
        },
        (c, { params }) => c.text(params.id),
      )
    }),
    ctx(),
  )
  const post = (body: string, role?: string) =>
    app.request('/a/items/12', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(role ? { 'x-role': role } : {}) },
    })

  it('checks auth before the request is validated: a role that may not act gets 403, not 400', async () => {
    const res = await post('{"name": 1}', 'read')
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ code: 'FORBIDDEN', message: 'Forbidden' })
    expect((await post('{"name": 1}', 'write')).status).toBe(400)
  })
  it('hands the handler what auth returned and the typed, validated parts', async () => {
    seen.length = 0
    const res = await post('{"name": "ab"}', 'write')
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ name: 'ab' })
    expect(seen).toEqual(['auth write', 'handler write 12'])
  })
  it('runs a decoder instead of the validators, on the path and its aliases', async () => {
    expect(await (await app.request('/a/items?q=x')).text()).toBe('X')
    expect(await (await app.request('/a/items/?q=y')).text()).toBe('Y')
    const raw = await app.request('/a/raw', {
      method: 'PUT',
      body: ' hi ',
      headers: { 'content-type': 'text/plain' },
    })
    expect(await raw.text()).toBe('hi')
    expect((await app.request('/a/raw', { method: 'PUT', body: '' })).status).toBe(400)
  })
  it('answers another method on a declared path with otherMethod, and documents each route once', async () => {
    const res = await app.request('/a/items', { method: 'DELETE' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, OPTIONS')
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'a', version: '1' } })
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/a/items',
      '/a/items/{id}',
      '/a/raw',
      '/a/slow/{id}',
      '/a/things/{id}',
    ])
    expect(doc.paths?.['/a/things/{id}']?.get?.parameters).toHaveLength(3)
    expect(doc.paths?.['/a/raw']?.put?.requestBody).toBeDefined()
  })
  it('knows which routes were declared through it', () => {
    expect(undeclaredRoutes(app)).toEqual([])
    const other = buildPluginApp(
      plugin((app) => {
        app.get('/a/by-hand', (c) => c.text('x'))
      }),
      ctx(),
    )
    expect(undeclaredRoutes(other)).toEqual([{ method: 'GET', path: '/a/by-hand' }])
  })
  it('validates the path and query of a route run as one handler, after auth, with the default hook', async () => {
    const get = (path: string, role = 'write') => app.request(path, { headers: { 'x-role': role } })
    expect(app.routes.filter((r) => r.path === '/a/things/:id' && r.method === 'GET')).toHaveLength(1)
    expect(await (await get('/a/things/7?n=3&tag=x&tag=y')).json()).toEqual({
      id: '7',
      n: 3,
      tag: ['x', 'y'],
    })
    expect((await get('/a/things/x', 'read')).status).toBe(403)
    const bad = await get('/a/things/x')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ code: 'VALIDATION_FAILED', message: 'Validation failed' })
    expect((await get('/a/things/7?n=abc')).status).toBe(400)
    expect(await (await app.request('/a/slow/yes')).text()).toBe('yes')
    expect((await app.request('/a/slow/no')).status).toBe(400)
  })
  it('answers an unknown path with the table NOT_FOUND, in the plugin format', async () => {
    const res = await app.request('/a/nothing')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Not found' })
  })
})
