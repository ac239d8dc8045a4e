import { describe, expect, it } from 'vitest'
import { createManualClock } from './clock.ts'
import { assertNoCollisions, buildPluginApp, CompositionError, validatePlugins } from './compose.ts'
import { ApiError } from './errors.ts'
import { type MailfrontPlugin, type PluginContext, silentLogger } from './plugin.ts'
import { memoryRateLimitStore } from './ratelimit/memory.ts'
import { memoryAdapter } from './storage/memory.ts'
import { StoreUnavailableError } from './storage/unavailable.ts'

const ctx = (): PluginContext => ({
  storage: memoryAdapter(),
  rateLimits: memoryRateLimitStore(),
  clock: createManualClock(),
  log: silentLogger,
  secret: 's',
  options: {},
  events: { authFailure() {}, rateLimited() {}, slowHash() {} },
  requireHttps: false,
  bodyLimit: 16,
  state: undefined,
})

function plugin(
  id: string,
  paths: string[],
  http: Partial<MailfrontPlugin['http']> = {},
  data?: MailfrontPlugin['data'],
): MailfrontPlugin {
  return {
    id,
    version: '0.0.0',
    http: {
      paths,
      errors: {},
      docs: { kind: 'openapi', title: id },
      renderError: (e, c) =>
        c.json({ plugin: id, code: e.code, details: e.details ?? null }, e.status as 400),
      routes(app) {
        for (const p of paths) app.get(p.replace('/*', '/x'), (c) => c.text(id))
      },
      ...http,
    },
    ...(data ? { data } : {}),
  }
}

describe('composition fails fast', () => {
  it('on a duplicate plugin id', () => {
    expect(() => validatePlugins([plugin('a', ['/a/*']), plugin('a', ['/b/*'])])).toThrow(
      new CompositionError('duplicate plugin id "a"'),
    )
  })
  it('on a model outside the plugin namespace', () => {
    const p = plugin('a', ['/a/*'], {}, { models: { b_users: { fields: {} } } })
    expect(() => validatePlugins([p])).toThrow(
      'plugin "a" declares model "b_users" outside its namespace "a_"',
    )
  })
  it('on a route collision between plugins', () => {
    const a = plugin('a', ['/api/*'])
    const b = plugin('b', ['/api/v1/*'])
    const entries = [a, b].map((p) => ({ plugin: p, app: buildPluginApp(p, ctx()), mount: {} }))
    expect(() => assertNoCollisions(entries)).toThrow(
      'route collision: plugin "a" (/api/*) and plugin "b" (/api/v1/*)',
    )
  })
  it('not when the same paths are separated by prefix or hostname', () => {
    const a = plugin('a', ['/api/*'])
    const b = plugin('b', ['/api/*'])
    const build = (p: MailfrontPlugin, mount: object) => ({ plugin: p, app: buildPluginApp(p, ctx()), mount })
    expect(() => assertNoCollisions([build(a, {}), build(b, { prefix: '/b' })])).not.toThrow()
    expect(() =>
      assertNoCollisions([build(a, { hostname: 'a.test' }), build(b, { hostname: 'b.test' })]),
    ).not.toThrow()
  })
  it('on a route outside the plugin paths, which its scope middleware would not cover', () => {
    const routes: MailfrontPlugin['http']['routes'] = (app) => {
      app.get('/a/x', (c) => c.text('in'))
      app.use('*', async (_c, next) => next())
    }
    expect(() => buildPluginApp(plugin('a', ['/a/*'], { routes }), ctx())).toThrow(
      new CompositionError('plugin "a" registers /*, outside its paths (/a/*)'),
    )
    const exact: MailfrontPlugin['http']['routes'] = (app) => {
      app.post('/v1', (c) => c.text('rpc'))
      app.post('/v1/', (c) => c.text('rpc'))
      app.post('/v2', (c) => c.text('no'))
    }
    expect(() => buildPluginApp(plugin('b', ['/v1', '/v1/*'], { routes: exact }), ctx())).toThrow(
      'plugin "b" registers /v2, outside its paths (/v1, /v1/*)',
    )
  })
  it('on a collision with mailfront routes', () => {
    const a = plugin('a', ['/metrics'])
    expect(() =>
      assertNoCollisions([{ plugin: a, app: buildPluginApp(a, ctx()), mount: {} }], ['/metrics']),
    ).toThrow(/collides with mailfront/)
  })
})

describe('plugin app scope', () => {
  it('renders thrown errors, validation failures, 500s and body limits in the plugin format', async () => {
    const logged: unknown[] = []
    const c = { ...ctx(), log: { ...silentLogger, error: (o: unknown) => logged.push(o) } }
    const p = plugin('a', ['/a/*'], {
      routes(app) {
        app.get('/a/api', () => {
          throw new ApiError('NOPE', 409, 'nope')
        })
        app.get('/a/boom', () => {
          throw new Error('secret internals')
        })
        app.post('/a/body', async (c) => c.text(await c.req.text()))
      },
    })
    const app = buildPluginApp(p, c)
    expect(await (await app.request('/a/api')).json()).toEqual({ plugin: 'a', code: 'NOPE', details: null })
    const boom = await app.request('/a/boom')
    expect(boom.status).toBe(500)
    expect(await boom.text()).not.toContain('secret')
    expect(logged).toHaveLength(1)
    const big = await app.request('/a/body', {
      method: 'POST',
      body: 'x'.repeat(100),
      headers: { 'content-length': '100' },
    })
    expect(big.status).toBe(413)
    expect((await big.json()).code).toBe('BODY_TOO_LARGE')
  })
})

describe('a store outage', () => {
  it('reaches the plugin as SERVICE_UNAVAILABLE 503 with Retry-After, logged as a warning', async () => {
    const lines: { level: string; msg?: string }[] = []
    const log = {
      debug() {},
      info() {},
      warn: (_: object | string, msg?: string) => void lines.push({ level: 'warn', msg }),
      error: (_: object | string, msg?: string) => void lines.push({ level: 'error', msg }),
    }
    const p = plugin('a', ['/a/*'], {
      routes(app) {
        app.get('/a/x', () => {
          throw new StoreUnavailableError('postgres', new Error('Connection terminated unexpectedly'))
        })
      },
    })
    const app = buildPluginApp(p, { ...ctx(), log })
    const res = await app.request('/a/x')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(await res.json()).toEqual({ plugin: 'a', code: 'SERVICE_UNAVAILABLE', details: null })
    expect(lines).toEqual([{ level: 'warn', msg: 'store unavailable: answered 503' }])
  })
})
