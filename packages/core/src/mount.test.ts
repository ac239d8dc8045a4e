import { z } from '@hono/zod-openapi'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ApiError } from './errors.ts'
import { mountPlugin } from './mount.ts'
import { opt } from './options.ts'
import { definePlugin } from './plugin.ts'
import { memoryAdapter } from './storage/memory.ts'

// A small plugin with a model, an option, its own error format and its own 404.
const notes = () =>
  definePlugin({
    id: 'notes',
    version: '1',
    options: z.object({ greetingText: opt.text('Greeting'), repeat: opt.whole(1, 'Times') }),
    http: {
      paths: ['/notes', '/notes/*'],
      routes(app, ctx) {
        app.get('/notes', async (c) =>
          c.json({
            greeting: ctx.options.greetingText ?? 'hello',
            repeat: ctx.options.repeat,
            secure: c.get('mailfront')?.secure,
            count: await ctx.storage.count({ model: 'notes_note' }),
          }),
        )
        app.post('/notes/fail', () => {
          throw new ApiError('NOPE', 409, 'no')
        })
      },
      errors: {},
      renderError: (e: ApiError, c) => c.json({ oops: e.message }, e.status as 400),
      notFound: (c) => c.json({ oops: 'no such note path' }, 404),
      docs: { kind: 'openapi', title: 'notes' },
    },
    data: {
      models: {
        notes_note: {
          fields: { note_id: { type: 'string' }, text: { type: 'string' } },
          indexes: [{ fields: ['note_id'], unique: true }],
        },
      },
    },
  })

describe('mountPlugin', () => {
  it('mounts at the native paths with default context, typed camelCase options and the plugin’s own errors', async () => {
    const app = new Hono()
    app.get('/', (c) => c.text('host'))
    const ctx = await mountPlugin(app, notes(), {
      storage: memoryAdapter(),
      options: { greetingText: 'hi', repeat: 2 },
    })
    expect(ctx.secret).toHaveLength(43)
    const res = await app.request('/notes')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ greeting: 'hi', repeat: 2, secure: false, count: 0 })
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await (await app.request('/notes/fail', { method: 'POST' })).json()).toEqual({ oops: 'no' })
    const missing = await app.request('/notes/x/y')
    expect([missing.status, await missing.json()]).toEqual([404, { oops: 'no such note path' }])
    // The host's own routes are untouched by the plugin's middleware.
    expect(await (await app.request('/')).text()).toBe('host')
    expect((await app.request('/')).headers.get('x-request-id')).toBeNull()
  })

  it('keeps a sane incoming X-Request-Id, replaces any other, and takes the client address it is given', async () => {
    const app = new Hono()
    let seen: string | undefined
    const plugin = notes()
    const routes = plugin.http.routes
    plugin.http.routes = (a, c) => {
      a.get('/notes/ip', (cx) => {
        seen = cx.get('mailfront')?.ip
        return cx.text('ok')
      })
      routes(a, c)
    }
    await mountPlugin(app, plugin, {
      storage: memoryAdapter(),
      clientAddress: (c) => c.req.header('x-real-ip'),
    })
    const id = async (v: string) =>
      (await app.request('/notes', { headers: { 'X-Request-Id': v } })).headers.get('x-request-id')
    expect(await id('abc-123.x_Y')).toBe('abc-123.x_Y')
    expect(await id('bad id;"<script>')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await id('x'.repeat(129))).toMatch(/^[0-9a-f-]{36}$/)
    await app.request('/notes/ip', { headers: { 'X-Real-IP': '192.0.2.7' } })
    expect(seen).toBe('192.0.2.7')
  })

  it('mounts under a prefix and can require HTTPS', async () => {
    const app = new Hono()
    await mountPlugin(app, notes(), { storage: memoryAdapter(), prefix: '/ext/', requireHttps: true })
    expect((await app.request('/notes')).status).toBe(404)
    const plain = await app.request('http://h/ext/notes')
    expect([plain.status, await plain.json()]).toEqual([403, { oops: 'HTTPS is required' }])
    const tls = await app.request('https://h/ext/notes')
    expect(await tls.json()).toMatchObject({ secure: true, count: 0 })
  })

  it('refuses a plugin whose models are outside its namespace', async () => {
    const bad = {
      ...notes(),
      data: { models: { other: { fields: { id: { type: 'string' } }, key: ['id'] } } },
    } as never
    await expect(mountPlugin(new Hono(), bad, { storage: memoryAdapter() })).rejects.toThrow(
      'plugin "notes" declares model "other" outside its namespace "notes_"',
    )
  })
})
