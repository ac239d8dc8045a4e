import { connect } from 'node:net'
import { ApiError, definePlugin, memoryAdapter } from '@mailfront/core'
import { mountPlugin } from '@mailfront/core/host'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authsmtpAuth, runtime, tmailAdmin } from '../test/demo-runtime.ts'
import type { Runtime } from './runtime.ts'
import { type MailfrontInstance, startMailfront } from './testing.ts'

const TMAIL_JSON = 'application/json; charset=UTF-8'

describe('one router: prefix and Host mounts', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime({
      MAILFRONT_AUTHSMTP_PREFIX: '/a',
      MAILFRONT_TMAIL_PREFIX: '/tm',
      MAILFRONT_SMTPD_HOSTNAME: 'smtpd.test',
      MAILFRONT_TRUST_PROXY: 'true',
    })
  })
  afterAll(() => rt.close())
  const get = (path: string, headers: Record<string, string> = {}) => rt.app.request(path, { headers })

  it('serves a plugin under its prefix only', async () => {
    expect((await get('/a/restful/basic_user/aa12345', authsmtpAuth)).status).toBe(200)
    expect((await get('/restful/basic_user/aa12345', authsmtpAuth)).status).toBe(404)
    expect(await (await get('/tm/ping')).text()).toContain('pong')
  })

  it("builds tmail's Location from the request path, prefix included", async () => {
    const res = await rt.app.request('http://h.test/tm/users/new@tmail.io', {
      method: 'POST',
      headers: { ...tmailAdmin, Host: 'h.test' },
      body: JSON.stringify({ passwd: 'pw-0123456', authRelay: true, haveMailbox: true, mailboxQuota: '1G' }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('location')).toMatch(/^https?:\/\/h\.test\/tm\/users\/new@tmail\.io$/)
  })

  it("routes a Host-mounted plugin by host and path, and mailfront's own routes on every host", async () => {
    const token = await rt.app.request('http://smtpd.test/oauth/me')
    expect(token.status).toBe(401)
    expect((await rt.app.request('http://smtpd.test:8080/oauth/me')).status).toBe(401)
    expect((await rt.app.request('http://other.test/oauth/me')).status).toBe(404)
    expect(
      (await rt.app.request('http://smtpd.test/a/restful/basic_user/aa12345', { headers: authsmtpAuth }))
        .status,
    ).toBe(404)
    expect(await (await rt.app.request('http://smtpd.test/healthz')).json()).toEqual({ status: 'ok' })
    // The root (the UI) too, as on any other host.
    const root = await rt.app.request('http://smtpd.test/')
    expect(root.status).toBe(200)
    expect(await root.text()).toBe(await (await rt.app.request('http://other.test/')).text())
    // The host marker of the router's path cannot be reached from outside.
    expect((await rt.app.request('http://other.test/.host/smtpd.test/oauth/me')).status).toBe(404)
  })

  it("answers each plugin's own 404 in its own format, and mailfront's elsewhere", async () => {
    const tm = await get('/tm/users/a/b/c', tmailAdmin)
    expect([tm.status, tm.headers.get('content-type')]).toEqual([404, TMAIL_JSON])
    expect(await tm.json()).toHaveProperty('msg')
    const nowhere = await get('/nowhere')
    expect([nowhere.status, await nowhere.text()]).toEqual([404, 'Not Found'])
    const rpc = await get('/v1/nope')
    expect(rpc.status).toBe(404)
  })

  it('renders each plugin’s errors in its own format', async () => {
    // Plain HTTP through the trusted proxy: each plugin's own HTTPS error; mailfront's routes answer.
    const plain = { 'X-Forwarded-Proto': 'http' }
    const xml = await get('/a/restful/basic_user/aa12345', { ...authsmtpAuth, ...plain })
    expect(xml.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
    expect(await xml.text()).toContain('<message>The API can only be accessed over HTTPS</message>')
    const https = await get('/tm/users', { ...tmailAdmin, ...plain })
    expect([https.status, await https.text()]).toEqual([403, '{"msg":"HTTPS is required","raw":""}'])
    expect((await get('/healthz', plain)).status).toBe(200)
    const tm = await get('/tm/users', { Authorization: 'Basic eDp5' })
    expect([tm.status, tm.headers.get('content-type')]).toEqual([401, TMAIL_JSON])
    const smtpd = await rt.app.request('http://smtpd.test/api/v1/users')
    expect(smtpd.headers.get('content-type')).toContain('application/json')
    expect(await smtpd.json()).toEqual({ code: 40402, message: 'Not found' })
  })

  it('sets X-Request-Id on every answer, keeping a well-formed incoming one', async () => {
    for (const p of ['/a/restful/basic_user/aa12345', '/nowhere', '/healthz', '/tm/users/a/b/c'])
      expect((await get(p)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect((await get('/tm/ping', { 'X-Request-Id': 'abc.1' })).headers.get('x-request-id')).toBe('abc.1')
    expect((await get('/tm/ping', { 'X-Request-Id': 'a b' })).headers.get('x-request-id')).not.toBe('a b')
  })

  it('labels metrics with the matched route under the mount', async () => {
    await get('/a/restful/basic_user/aa12345', authsmtpAuth)
    await rt.app.request('http://smtpd.test/oauth/me')
    await get('/tm/users/a/b/c', tmailAdmin)
    const text = await (await get('/metrics')).text()
    expect(text).toMatch(
      /plugin="authsmtp",route="\/a\/restful\/basic_user\/:userId",method="GET",status="200"/,
    )
    expect(text).toMatch(/plugin="smtpd",route="\/oauth\/me",method="GET",status="401"/)
    expect(text).toMatch(/plugin="tmail",route="\/tm\*",method="GET",status="404"/)
    expect(text).toMatch(/plugin="mailfront",route="\/healthz",method="GET",status="200"/)
  })

  it('fires a fault by its route label, under the prefix', async () => {
    const add = await rt.app.request('/_mailfront/faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        plugin: 'authsmtp',
        route: '/a/restful/basic_user/:userId',
        status: 503,
        count: 1,
      }),
    })
    expect(add.status).toBe(201)
    expect((await get('/a/restful/basic_user/aa12345', authsmtpAuth)).status).toBe(503)
    expect((await get('/a/restful/basic_user/aa12345', authsmtpAuth)).status).toBe(200)
  })

  it('serves every JSON-RPC plugin’s OpenRPC document at /openrpc/<id>.json', async () => {
    const doc = await (await get('/openrpc/mailboxorg.json')).json()
    expect(doc).toEqual(await (await get('/openrpc.json')).json())
    expect((await get('/openrpc/tmail.json')).status).toBe(404)
  })
})

describe('one router: scope middleware stays on its plugin’s paths', () => {
  const toy = (id: string, path: string) =>
    definePlugin({
      id,
      version: '1',
      http: {
        paths: [path, `${path}/*`],
        routes(app) {
          app.get(path, (c) => c.text(id))
          app.post(`${path}/echo`, async (c) => c.text(await c.req.text()))
          app.get(`${path}/fail`, () => {
            throw new ApiError('NOPE', 409, 'nope')
          })
        },
        errors: {},
        renderError: (e: ApiError, c) => c.json({ [id]: e.message }, e.status as 400),
        notFound: (c) => c.json({ [id]: 'no such path' }, 404),
        docs: { kind: 'openapi', title: id },
      },
    })

  it('keeps HTTPS rule, body limit, errors and 404 per plugin', async () => {
    const app = new Hono()
    await mountPlugin(app, toy('strict', '/s'), {
      storage: memoryAdapter(),
      requireHttps: true,
      bodyLimit: 4,
    })
    await mountPlugin(app, toy('loose', '/l'), { storage: memoryAdapter(), prefix: '/p' })
    app.post('/host', async (c) => c.text(await c.req.text()))
    expect(await (await app.request('http://h/s')).json()).toEqual({ strict: 'HTTPS is required' })
    expect(await (await app.request('http://h/p/l')).text()).toBe('loose')
    const big = { method: 'POST', body: '0123456789' }
    expect((await app.request('https://h/s/echo', big)).status).toBe(413)
    expect(await (await app.request('http://h/p/l/echo', big)).text()).toBe('0123456789')
    expect(await (await app.request('http://h/host', big)).text()).toBe('0123456789')
    expect(await (await app.request('http://h/p/l/fail')).json()).toEqual({ loose: 'nope' })
    expect(await (await app.request('http://h/p/l/x/y')).json()).toEqual({ loose: 'no such path' })
    expect(await (await app.request('https://h/s/x/y')).json()).toEqual({ strict: 'no such path' })
    expect((await app.request('http://h/host', big)).headers.get('x-request-id')).toBeNull()
  })
})

describe('one router over Node: the head as before', () => {
  let mf: MailfrontInstance
  beforeAll(async () => {
    mf = await startMailfront({ plugins: ['authsmtp', 'tmail'], env: { MAILFRONT_TMAIL_PREFIX: '/tm' } })
  })
  afterAll(() => mf.close())
  const head = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const { port } = new URL(mf.url)
      const s = connect(Number(port), '127.0.0.1', () =>
        s.write(`GET ${path} HTTP/1.1\r\nHost: h\r\nX-Request-Id: r-1\r\nConnection: close\r\n\r\n`),
      )
      let d = ''
      s.on('data', (b) => {
        d += b
      })
      s.on('end', () => resolve(d.slice(0, d.indexOf('\r\n\r\n'))))
      s.on('error', reject)
    })

  it("names X-Request-Id first, in a plugin's answers as the plugin's own header", async () => {
    expect((await head('/tm/ping')).split('\r\n')[1]).toBe('x-request-id: r-1')
    expect((await head('/tm/users/a/b/c')).split('\r\n')[1]).toBe('x-request-id: r-1')
    expect((await head('/healthz')).split('\r\n')[1]).toBe('X-Request-Id: r-1')
    expect((await head('/nowhere')).split('\r\n')[1]).toBe('X-Request-Id: r-1')
  })

  it('logs a plugin request with its id and its route label', async () => {
    await fetch(`${mf.url}/tm/ping`, { headers: { 'X-Request-Id': 'r-2' } })
    const [e] = await mf.requests({ path: '/tm/ping' })
    expect([e?.requestId, e?.plugin, e?.route]).toEqual(['r-2', 'tmail', '/tm/ping'])
  })
})
