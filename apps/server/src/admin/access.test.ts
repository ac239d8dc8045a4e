import { hostname } from 'node:os'
import { silentLogger } from '@mailfront/core'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtime } from '../../test/demo-runtime.ts'
import { ConfigError, checkAdminExposure, loadConfig } from '../config.ts'
import { createPlugin } from '../registry.ts'
import { createRuntime, type Runtime } from '../runtime.ts'
import { hostGuard } from './access.ts'
import { createAdminApp } from './app.ts'
import { adminHosts, certificateHostnames, hostAllowed } from './hosts.ts'

const TOKEN = '0123456789abcdef0123'
/** What @hono/node-server hands the app: the Node request, whose socket's peer is the TCP client. */
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } })
/** The spoofed clients: each once claimed loopback through X-Forwarded-For. */
const SPOOFS = ['127.0.0.1', '::1', 'localhost', '127.1']

function app(opts: Omit<Parameters<typeof createAdminApp>[0], 'groups'>) {
  const root = new Hono()
  root.route(
    '/_mailfront',
    createAdminApp({ ...opts, groups: [(a) => a.get('/ping', (c) => c.json({ ok: true }))] }),
  )
  return root
}

describe('admin access, no token', () => {
  // In-process test code: a call with no socket counts as loopback only because this app says so.
  const a = app({ inProcessIsLocal: true })
  it('lets a loopback socket peer with no forwarding header in, and an in-process call', async () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2'])
      expect((await a.request('/_mailfront/ping', {}, peer(ip))).status).toBe(200)
    expect((await a.request('/_mailfront/ping')).status).toBe(200)
  })
  it('does not exist for any other peer', async () => {
    for (const ip of ['192.0.2.7', '::ffff:10.0.0.1', '2001:db8::1', ''])
      expect((await a.request('/_mailfront/ping', {}, peer(ip))).status).toBe(404)
  })
  it('does not exist for a loopback peer that carries any forwarding header (a proxy on the same host)', async () => {
    const headers = [
      ['X-Forwarded-For', '127.0.0.1'],
      ['Forwarded', 'for=127.0.0.1'],
      ['X-Real-IP', '127.0.0.1'],
      ['X-Forwarded-Host', 'localhost'],
      ['X-Forwarded-Proto', 'https'],
      ['Via', '1.1 proxy'],
      ['True-Client-IP', '127.0.0.1'],
    ]
    for (const [name, value] of headers) {
      const res = await a.request('/_mailfront/ping', { headers: { [name!]: value! } }, peer('127.0.0.1'))
      expect(res.status, name).toBe(404)
      expect((await a.request('/_mailfront/ping', { headers: { [name!]: value! } })).status, name).toBe(404)
    }
  })
})

// A runtime other than Node (Bun, Deno, a worker serving app.fetch) hands the app no socket either:
// by default such a request is a stranger, never an admin.
describe('admin access, a request with no socket', () => {
  const request = () => new Request('http://mailfront.test/_mailfront/ping')
  it('no token: 404 by default (app.fetch, app.request); a loopback socket peer still gets in', async () => {
    const a = app({})
    expect((await a.fetch(request())).status).toBe(404)
    expect((await a.request('/_mailfront/ping')).status).toBe(404)
    expect((await a.request('/_mailfront/ping', {}, peer('127.0.0.1'))).status).toBe(200)
    expect((await app({ inProcessIsLocal: false }).fetch(request())).status).toBe(404)
  })
  it('a token still opens it; open still means everyone (under the Host rule)', async () => {
    const withToken = app({ token: TOKEN })
    const authed = new Request(request(), { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect([(await withToken.fetch(request())).status, (await withToken.fetch(authed)).status]).toEqual([
      401, 200,
    ])
    const open = app({ mode: 'open' })
    expect((await open.fetch(new Request('http://127.0.0.1:8080/_mailfront/ping'))).status).toBe(200)
    expect((await open.fetch(request())).status).toBe(403) // mailfront.test: not configured
  })
  it('through the composed server: a runtime created without the option refuses socketless calls', async () => {
    const rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: 'memory:',
        MAILFRONT_SECRET: 'x'.repeat(40),
        MAILFRONT_PLUGINS: 'tmail',
      }),
      silentLogger,
    )
    try {
      for (const path of ['/_mailfront/', '/_mailfront/fixtures'])
        expect((await rt.app.fetch(new Request(`http://mailfront.test${path}`))).status, path).toBe(404)
      expect((await rt.app.request('/_mailfront/fixtures', {}, peer('127.0.0.1'))).status).toBe(200)
    } finally {
      await rt.close()
    }
  })
})

describe('admin access, token set', () => {
  const a = app({ token: TOKEN })
  it('wants the bearer token from every client, loopback and in-process included', async () => {
    for (const env of [peer('127.0.0.1'), peer('::1'), peer('192.0.2.7'), undefined]) {
      const none = await a.request('/_mailfront/ping', {}, env)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="mailfront admin"')
      const wrong = await a.request('/_mailfront/ping', { headers: { Authorization: 'Bearer nope' } }, env)
      expect(wrong.status).toBe(401)
      const ok = await a.request('/_mailfront/ping', { headers: { Authorization: `Bearer ${TOKEN}` } }, env)
      expect(ok.status).toBe(200)
    }
  })
  it('a forwarding header changes nothing: the token decides', async () => {
    const h = { 'X-Forwarded-For': '127.0.0.1', Authorization: `Bearer ${TOKEN}` }
    expect((await a.request('/_mailfront/ping', { headers: h }, peer('203.0.113.9'))).status).toBe(200)
  })
})

describe('MAILFRONT_ADMIN', () => {
  it('open: anyone, off: no admin API', async () => {
    const open = app({ mode: 'open' })
    for (const ip of ['203.0.113.9', '127.0.0.1'])
      expect(
        (await open.request('/_mailfront/ping', { headers: { 'X-Forwarded-For': '1.1.1.1' } }, peer(ip)))
          .status,
      ).toBe(200)
  })
  it('refuses to start off loopback without a token, unless chosen explicitly', () => {
    const cfg = (env: Record<string, string>) => loadConfig({ MAILFRONT_DATABASE_URL: 'memory:', ...env })
    expect(() => checkAdminExposure(cfg({ MAILFRONT_HOST: '0.0.0.0' }))).toThrow(ConfigError)
    expect(() => checkAdminExposure(cfg({ MAILFRONT_HOST: '0.0.0.0' }))).toThrow(
      'MAILFRONT_HOST=0.0.0.0 is not loopback and MAILFRONT_ADMIN_TOKEN is unset: set a token, or MAILFRONT_ADMIN=off (no admin API) or MAILFRONT_ADMIN=open (anyone who reaches the port is admin)',
    )
    const fine: Record<string, string>[] = [
      { MAILFRONT_HOST: '0.0.0.0', MAILFRONT_ADMIN: 'off' },
      { MAILFRONT_HOST: '0.0.0.0', MAILFRONT_ADMIN: 'open' },
      { MAILFRONT_HOST: '::', MAILFRONT_ADMIN_TOKEN: TOKEN },
      { MAILFRONT_HOST: '127.0.0.1' },
      { MAILFRONT_HOST: '::1' },
      { MAILFRONT_HOST: '127.0.0.1', MAILFRONT_TRUST_PROXY: 'false' },
      { MAILFRONT_HOST: '127.0.0.1', MAILFRONT_TRUST_PROXY: 'true', MAILFRONT_ADMIN_TOKEN: TOKEN },
      { MAILFRONT_HOST: '127.0.0.1', MAILFRONT_TRUST_PROXY: 'true', MAILFRONT_ADMIN: 'off' },
    ]
    for (const env of fine) expect(() => checkAdminExposure(cfg(env))).not.toThrow()
    // A proxy on the same host makes every client loopback: no token there must be chosen too.
    for (const trust of ['true', '2', '127.0.0.1'])
      expect(() =>
        checkAdminExposure(cfg({ MAILFRONT_HOST: '127.0.0.1', MAILFRONT_TRUST_PROXY: trust })),
      ).toThrow(
        'MAILFRONT_TRUST_PROXY declares a proxy (through which every client may come from loopback) and MAILFRONT_ADMIN_TOKEN is unset: set a token, or MAILFRONT_ADMIN=off (no admin API) or MAILFRONT_ADMIN=open (anyone who reaches the port is admin)',
      )
    expect(() => cfg({ MAILFRONT_ADMIN: 'sometimes' })).toThrow(/^MAILFRONT_ADMIN must be auto, off or open/)
    expect(() => cfg({ MAILFRONT_ADMIN: 'open', MAILFRONT_ADMIN_TOKEN: TOKEN })).toThrow(
      /^MAILFRONT_ADMIN=open and MAILFRONT_ADMIN_TOKEN exclude each other/,
    )
  })
})

// The attack through the composed server (client address from MAILFRONT_TRUST_PROXY): with a
// token, X-Forwarded-For: <loopback> never stands in for it; GET /fixtures and POST /reset both refused.
describe.each(['false', 'true'])('the X-Forwarded-For attack, MAILFRONT_TRUST_PROXY=%s', (trust) => {
  let withToken: Runtime
  let noToken: Runtime
  let off: Runtime
  beforeAll(async () => {
    withToken = await runtime({
      MAILFRONT_TRUST_PROXY: trust,
      MAILFRONT_ADMIN_TOKEN: TOKEN,
      MAILFRONT_PLUGINS: 'tmail',
    })
    noToken = await runtime({ MAILFRONT_TRUST_PROXY: trust, MAILFRONT_PLUGINS: 'tmail' })
    off = await runtime({ MAILFRONT_TRUST_PROXY: trust, MAILFRONT_ADMIN: 'off', MAILFRONT_PLUGINS: 'tmail' })
  })
  afterAll(async () => {
    for (const rt of [withToken, noToken, off]) await rt.close()
  })

  it('is refused from a remote peer and from a loopback peer (a proxy on the same host)', async () => {
    for (const rt of [withToken, noToken])
      for (const ip of SPOOFS)
        for (const from of ['203.0.113.9', '127.0.0.1', undefined]) {
          const env = from ? peer(from) : undefined
          const headers = { 'X-Forwarded-For': ip }
          const get = await rt.app.request('/_mailfront/fixtures', { headers }, env)
          const reset = await rt.app.request('/_mailfront/reset', { method: 'POST', headers }, env)
          const want = rt === withToken ? 401 : 404
          expect([get.status, reset.status], `${ip} via ${from}`).toEqual([want, want])
          expect(await get.text()).not.toContain('$2')
        }
    // Nothing was wiped: the demo user is still there.
    const res = await withToken.app.request('/_mailfront/fixtures', {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    expect(await res.text()).toContain('toorop@tmail.io')
  })
  it('no token: a plain loopback peer gets in; off: nobody', async () => {
    expect((await noToken.app.request('/_mailfront/fixtures', {}, peer('127.0.0.1'))).status).toBe(200)
    expect((await noToken.app.request('/_mailfront/fixtures', {}, peer('203.0.113.9'))).status).toBe(404)
    for (const env of [peer('127.0.0.1'), undefined]) {
      const res = await off.app.request('/_mailfront/fixtures', {}, env)
      expect([res.status, await res.text()]).toEqual([404, 'Not Found'])
    }
  })
})

// Issue 24, item 9: the admin routes read any body whole.
describe('the admin body limit', () => {
  const root = new Hono()
  root.route(
    '/_mailfront',
    createAdminApp({
      inProcessIsLocal: true,
      bodyLimit: 1024,
      groups: [(a) => a.post('/echo', async (c) => c.json({ size: (await c.req.text()).length }))],
    }),
  )
  it('413 over it, declared or chunked; under it, read', async () => {
    const ok = await root.request('/_mailfront/echo', { method: 'POST', body: 'x'.repeat(1024) })
    expect([ok.status, await ok.json()]).toEqual([200, { size: 1024 }])
    const declared = await root.request('/_mailfront/echo', { method: 'POST', body: 'x'.repeat(1025) })
    expect([declared.status, await declared.json()]).toEqual([
      413,
      { error: 'request body too large: at most 1024 bytes' },
    ])
    const chunks = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < 8; i++) ctl.enqueue(new Uint8Array(512))
        ctl.close()
      },
    })
    const chunked = await root.request('/_mailfront/echo', {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
  })
  it('the real admin API has one: 16 MiB', async () => {
    const { ADMIN_BODY_LIMIT } = await import('./app.ts')
    expect(ADMIN_BODY_LIMIT).toBe(16 * 1024 * 1024)
    const rt = await runtime({ MAILFRONT_PLUGINS: 'tmail' })
    try {
      const res = await rt.app.request('/_mailfront/fixtures', {
        method: 'POST',
        headers: { 'Content-Length': String(ADMIN_BODY_LIMIT + 1) },
        body: '{}',
      })
      expect(res.status).toBe(413)
    } finally {
      await rt.close()
    }
  })
})

// DNS rebinding: a page of evil.example re-pointed at 127.0.0.1 comes from a loopback socket, same
// origin, with `Host: evil.example`. Without a token the Host header is what tells it apart.
describe('admin access, no token: the DNS-rebinding guard (Host)', () => {
  const warnings: { obj: unknown; msg?: string }[] = []
  const log = {
    ...silentLogger,
    warn: (obj: object | string, msg?: string) => {
      warnings.push({ obj, msg })
    },
  }
  const guard = hostGuard(['api.tmail.io', 'mail.example.test:8443', '*.dev.example.org', '192.0.2.10'], log)
  const a = app({ hostGuard: guard })
  const get = (host: string | undefined, env = peer('127.0.0.1')) =>
    a.request('/_mailfront/ping', host === undefined ? {} : { headers: { Host: host } }, env)

  it('answers loopback names and literals, with any port', async () => {
    const ok = [
      'localhost',
      'LOCALHOST:3000',
      'localhost.',
      'foo.localhost',
      'a.b.localhost:8443',
      '127.0.0.1',
      '127.1.2.3:80',
      '127.255.255.255:65535',
      '[::1]',
      '[::1]:8443',
      '[0:0:0:0:0:0:0:1]:8443',
      // An IP literal is no DNS name: nothing can re-point it. The IPv4-mapped form is loopback too.
      '[::ffff:127.0.0.1]:8443',
      '[::ffff:7f00:1]',
      // Any IP literal: none can be re-pointed (http://0.0.0.0:port, a LAN address, the container's IP).
      '10.0.0.1:8080',
      '0.0.0.0',
      '0.0.0.0:8080',
      '[::ffff:10.0.0.1]',
      '[::2]:1',
      '[fe80::1]',
      '203.0.113.9',
    ]
    for (const host of ok) expect((await get(host)).status, host).toBe(200)
  })

  it("answers the operator's names: client hostnames, configured names (port ignored), wildcards, IPs", async () => {
    for (const host of [
      'api.tmail.io',
      'API.TMAIL.IO:443',
      'mail.example.test',
      'mail.example.test:9999',
      'mf.dev.example.org:8443',
      '192.0.2.10:8080',
    ])
      expect((await get(host)).status, host).toBe(200)
  })

  it('refuses every other name with 403 and says what to do', async () => {
    // Each refused Host, and the port the answer's "open it as" link keeps (a malformed value: none).
    const refused: [string, string][] = [
      ['evil.example', ''],
      ['evil.example:8443', ':8443'],
      ['evil.example.', ''],
      ['127.0.0.1.evil.example', ''],
      ['localhost.evil.example:80', ':80'],
      ['localhost-evil.example', ''],
      ['tmail.io', ''],
      ['x.api.tmail.io', ''],
      ['dev.example.org', ''], // the wildcard is one more label, not the name itself
      ['a.b.dev.example.org', ''],
      ['127.1', ''], // browsers send 127.0.0.1; a short form is a name here, not an IP literal
      ['10.0.0.1.evil.example:8080', ':8080'],
      ['[fe80::1%25eth0]', ''], // a zone id: malformed here
      ['local host', ''],
      ['localhost:port', ''],
      ['[::1', ''],
      ['', ''],
    ]
    for (const [host, port] of refused) {
      const res = await get(host)
      expect(res.status, host).toBe(403)
      expect(((await res.json()) as { error: string }).error, host).toBe(
        `admin API without a token answers only to a loopback host name (Host: ${host} refused, DNS rebinding guard): open it as http://127.0.0.1${port}/ or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
      )
    }
    const res = await get('evil.example:8443')
    expect(await res.json()).toEqual({
      error:
        'admin API without a token answers only to a loopback host name (Host: evil.example:8443 refused, DNS rebinding guard): open it as http://127.0.0.1:8443/ or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN',
    })
  })

  it('logs one warning per refused name (no port), and at most 32 names', async () => {
    warnings.length = 0
    const g = hostGuard([], log)
    const b = app({ hostGuard: g })
    for (const host of ['evil.example:8443', 'EVIL.example', 'evil.example:1', 'other.example'])
      expect((await b.request('/_mailfront/ping', { headers: { Host: host } }, peer('::1'))).status).toBe(403)
    expect(warnings).toEqual([
      {
        obj: { host: 'evil.example' },
        msg: 'admin API refused a request for a host name that is not loopback (DNS rebinding guard): add it to MAILFRONT_ADMIN_HOSTS if it is yours, or set MAILFRONT_ADMIN_TOKEN',
      },
      { obj: { host: 'other.example' }, msg: warnings[0]!.msg },
    ])
    for (let i = 0; i < 100; i++)
      await b.request('/_mailfront/ping', { headers: { Host: `n${i}.example` } }, peer('::1'))
    expect(warnings).toHaveLength(33)
    expect(warnings[32]).toEqual({
      obj: 'admin API: more than 32 host names refused, no more are logged',
      msg: undefined,
    })
  })

  it("without a Host header (HTTP/2's :authority), the request URL's host is checked", async () => {
    // An in-process call's URL host is localhost: it passes.
    expect((await get(undefined)).status).toBe(200)
    expect((await app({ inProcessIsLocal: true, hostGuard: guard }).request('/_mailfront/ping')).status).toBe(
      200,
    )
    for (const [url, status] of [
      ['http://127.0.0.1:8080/_mailfront/ping', 200],
      ['https://api.tmail.io/_mailfront/ping', 200],
      ['http://evil.example:8080/_mailfront/ping', 403],
    ] as const) {
      const res = await a.request(url, {}, peer('127.0.0.1'))
      expect(res.status, url).toBe(status)
      const open = await app({ mode: 'open', hostGuard: guard }).request(url, {}, peer('203.0.113.9'))
      expect(open.status, url).toBe(status)
    }
    const res = await a.request('http://evil.example:8080/_mailfront/ping', {}, peer('127.0.0.1'))
    expect(((await res.json()) as { error: string }).error).toMatch(/^.*\(Host: evil\.example:8080 refused/)
  })

  it('a stranger still gets 404 whatever its Host (the prefix is not revealed), a proxied loopback too', async () => {
    for (const host of ['evil.example', 'localhost']) {
      expect((await get(host, peer('192.0.2.7'))).status, host).toBe(404)
      const proxied = await a.request(
        '/_mailfront/ping',
        { headers: { Host: host, 'X-Forwarded-For': '127.0.0.1' } },
        peer('127.0.0.1'),
      )
      expect(proxied.status, host).toBe(404)
    }
  })

  it('without a guard: loopback names only', async () => {
    const bare = app({})
    for (const [host, status] of [
      ['localhost:8080', 200],
      ['api.tmail.io', 403],
    ] as const)
      expect(
        (await bare.request('/_mailfront/ping', { headers: { Host: host } }, peer('127.0.0.1'))).status,
      ).toBe(status)
  })

  it('a token set: no Host check (the token decides)', async () => {
    const withToken = app({ token: TOKEN, hostGuard: guard })
    const auth = { Authorization: `Bearer ${TOKEN}` }
    for (const env of [peer('127.0.0.1'), peer('203.0.113.9')]) {
      const res = await withToken.request(
        '/_mailfront/ping',
        { headers: { ...auth, Host: 'evil.example' } },
        env,
      )
      expect(res.status).toBe(200)
      const none = await withToken.request('/_mailfront/ping', { headers: { Host: 'evil.example' } }, env)
      expect(none.status).toBe(401)
    }
  })

  // The image's default: `docker run -p 8080:8080` on a laptop is reached by a rebinding page too.
  it("MAILFRONT_ADMIN=open: anyone, under the Host rule plus this machine's name", async () => {
    const open = app({ mode: 'open', hostGuard: hostGuard(['mailfront-db.test'], log) })
    const bare = app({ mode: 'open' })
    const me = hostname()
    for (const env of [peer('127.0.0.1'), peer('203.0.113.9'), peer('172.17.0.1')]) {
      for (const host of ['172.17.0.2:8080', '[2001:db8::2]:8080', 'localhost:8080', me, `${me}:8080`])
        for (const srv of [open, bare])
          expect((await srv.request('/_mailfront/ping', { headers: { Host: host } }, env)).status, host).toBe(
            200,
          )
      // A configured name passes; unconfigured, `mailfront` (a compose service name) is refused as any other.
      const configured = await open.request(
        '/_mailfront/ping',
        { headers: { Host: 'mailfront-db.test' } },
        env,
      )
      expect(configured.status).toBe(200)
      expect(
        (
          await app({ mode: 'open', hostGuard: hostGuard(['mailfront']) }).request(
            '/_mailfront/ping',
            { headers: { Host: 'mailfront:8080' } },
            env,
          )
        ).status,
      ).toBe(200)
      for (const host of [
        'evil.example',
        'evil.example:8080',
        'mailfront',
        'mailfront:8080',
        `${me}.evil.example`,
      ]) {
        const res = await open.request('/_mailfront/ping', { headers: { Host: host } }, env)
        expect(res.status, host).toBe(403)
        const port = host.endsWith(':8080') ? ':8080' : ''
        expect(await res.json(), host).toEqual({
          error: `admin API in open mode (no token) answers only to an IP address, a loopback name, this machine's name or a configured one (Host: ${host} refused, DNS rebinding guard): open it by IP address (http://127.0.0.1${port}/) or localhost, add the name to MAILFRONT_ADMIN_HOSTS, or set MAILFRONT_ADMIN_TOKEN`,
        })
      }
    }
  })
})

describe('adminHosts and hostAllowed', () => {
  it('reads names as the operator writes them', () => {
    const h = adminHosts([
      'Mail.Example.Test:8443',
      'x.test.',
      '[::ffff:a00:1]:80',
      '2001:DB8::1',
      '*.wild.test',
    ])
    expect([...h.names]).toEqual(['mail.example.test', 'x.test', '::ffff:a00:1', '2001:db8::1'])
    expect(h.wildcards).toEqual(['.wild.test'])
    expect(hostAllowed('[2001:db8:0::1]:8443', h)).toBe(true)
    expect(hostAllowed('[::ffff:10.0.0.1]', h)).toBe(true)
    expect(hostAllowed('a.wild.test', h)).toBe(true)
    expect(hostAllowed('wild.test', h)).toBe(false)
  })
  it('never takes a wildcard for a whole top-level domain', () => {
    const h = adminHosts(['*.com', '*.localhost', '*'])
    expect(h.wildcards).toEqual([])
    expect(hostAllowed('evil.com', h)).toBe(false)
  })
  it('MAILFRONT_ADMIN_HOSTS: names, wildcards and IPs; a port or a bare wildcard stops the start', () => {
    const cfg = (v: string) => loadConfig({ MAILFRONT_DATABASE_URL: 'memory:', MAILFRONT_ADMIN_HOSTS: v })
    expect(cfg(' DevBox.lan, *.ts.example.net,10.0.0.5, ::1').adminHosts).toEqual([
      'devbox.lan',
      '*.ts.example.net',
      '10.0.0.5',
      '::1',
    ])
    expect(loadConfig({ MAILFRONT_DATABASE_URL: 'memory:' }).adminHosts).toEqual([])
    for (const bad of ['devbox.lan:8080', '*', '*.com', 'a b', 'http://devbox.lan'])
      expect(() => cfg(bad), bad).toThrow(
        `MAILFRONT_ADMIN_HOSTS must be a comma list of host names (*.example.com: the names under one) or IP addresses, without a port ("${bad}" is not) (got "${bad}")`,
      )
  })
  it("reads a certificate's DNS names", async () => {
    const { caIssuedCert } = await import('../tls.ts')
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'mf-cert-'))
    try {
      const tls = await caIssuedCert(dir, ['localhost', '127.0.0.1', '::1', 'mailfront', 'api.tmail.io'])
      expect(certificateHostnames(tls.cert).sort()).toEqual(['api.tmail.io', 'localhost', 'mailfront'])
      expect(certificateHostnames('not a certificate')).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

// Through the composed server, as `serve` builds it: the plugins' client hostnames, the certificate's
// names and MAILFRONT_ADMIN_HOSTS are answered; a rebinding name is not, for every admin route.
describe('the DNS-rebinding guard through the composed server', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: 'memory:',
        MAILFRONT_SECRET: 'x'.repeat(40),
        MAILFRONT_PLUGINS: 'tmail,smtpd',
        MAILFRONT_SMTPD_HOSTNAME: 'smtpd.test',
        MAILFRONT_HOSTNAME: 'mailfront',
        MAILFRONT_ADMIN_HOSTS: 'devbox.lan, *.ts.example.net',
      }),
      silentLogger,
      { certificateNames: ['cert-name.example.com'] },
    )
  })
  afterAll(async () => {
    await rt.close()
  })
  const req = (path: string, host: string, init: RequestInit = {}) =>
    rt.app.request(path, { ...init, headers: { ...(init.headers as object), Host: host } }, peer('127.0.0.1'))

  it('answers loopback and configured names, refuses a rebinding name on every admin route', async () => {
    const publicHost = createPlugin('smtpd').http.hostnames![0]!
    for (const host of [
      'localhost:8080',
      '127.0.0.1:8080',
      '[::1]:8080',
      publicHost,
      'smtpd.test',
      'mailfront:8443',
      'cert-name.example.com',
      'devbox.lan',
      'a.ts.example.net',
    ])
      expect((await req('/_mailfront/fixtures', host)).status, host).toBe(200)
    for (const path of [
      '/_mailfront/',
      '/_mailfront/fixtures',
      '/_mailfront/messages',
      '/_mailfront/requests',
    ]) {
      const res = await req(path, 'evil.example:8443')
      expect(res.status, path).toBe(403)
      const body = await res.text()
      expect(body, path).toContain('DNS rebinding guard')
      expect(body, path).not.toContain('$2')
    }
    // A write from the rebinding page (same origin, as the browser sees it) is refused too, and wipes nothing.
    const reset = await req('/_mailfront/reset', 'evil.example:8443', {
      method: 'POST',
      headers: { Origin: 'http://evil.example:8443', 'Sec-Fetch-Site': 'same-origin' },
    })
    expect(reset.status).toBe(403)
    // The UI page and the public documents hold no admin data: they answer any name.
    expect((await req('/', 'evil.example:8443')).status).toBe(200)
  })
})
