import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { authsmtpAuth, post, runtime, runtimeClearingFaults, tmailAdmin } from '../../test/demo-runtime.ts'
import { installedIds } from '../registry.ts'
import type { Runtime } from '../runtime.ts'

describe('faults on demand, in each provider format', () => {
  const current = runtimeClearingFaults()
  let rt: Runtime
  beforeEach(() => {
    rt = current()
  })
  const fault = async (f: object) => {
    const res = await post(rt, '/_mailfront/faults', f)
    expect(res.status, await res.clone().text()).toBe(201)
  }

  it("AuthSMTP's rate-limit object", async () => {
    await fault({ plugin: 'authsmtp', error: 'RATE_LIMITED' })
    const res = await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/xml; charset=UTF-8')
    expect(await res.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>1</code>\n    <message>Rate limit exceeded: no more than 1 API request every 20 seconds</message>\n  </error>\n</result>\n',
    )
  })

  it('SMTPD 42901', async () => {
    await fault({ plugin: 'smtpd', error: 'RATE_LIMITED' })
    const res = await rt.app.request('/api/v1/account')
    expect(res.status).toBe(429)
    expect(await res.text()).toBe('{"code":42901,"message":"Too many requests"}')
  })

  it('a JSON-RPC error from mailbox.org', async () => {
    await fault({ plugin: 'mailboxorg', error: 'RATE_LIMITED', count: 1 })
    const res = await post(rt, '/v1/', '{"jsonrpc":"2.0","method":"hello.world","id":"1"}')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(
      '{"jsonrpc":"2.0","error":{"code":1008,"message":"Too many requests for this session, wait 60 seconds"},"id":null}',
    )
    await fault({ plugin: 'mailboxorg', error: 'INTERNAL' })
    expect(await (await post(rt, '/v1/', '{}')).text()).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}',
    )
  })

  it('an HTTP status keeps the provider body: tmail, SMTPD, AuthSMTP', async () => {
    await fault({ plugin: 'tmail', status: 502 })
    const t = await rt.app.request('/ping')
    expect(t.status).toBe(502)
    expect(await t.text()).toBe('{"msg":"internal server error","raw":""}')
    await fault({ plugin: 'smtpd', status: 401 })
    const s = await rt.app.request('/api/v1/account')
    expect(s.status).toBe(401)
    expect(await s.text()).toBe('{"code":40101,"message":"Missing or invalid bearer token"}')
    await fault({ plugin: 'authsmtp', status: 500 })
    const a = await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
    expect(a.status).toBe(500)
    expect(await a.text()).toBe('Internal Error')
  })

  it('latency delays the real answer', async () => {
    await fault({ plugin: 'tmail', latencyMs: 120 })
    const t0 = Date.now()
    const res = await rt.app.request('/ping')
    expect(res.status).toBe(200)
    // Not a timing assertion on speed: the floor is what the fault promises.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100)
  })

  it('matches a route or a path and a method; count and probability bound it', async () => {
    await fault({ plugin: 'tmail', route: '/users/:login', method: 'GET', status: 500, count: 1 })
    expect((await rt.app.request('/ping')).status).toBe(200)
    expect((await rt.app.request('/users/toorop@tmail.io', { method: 'DELETE' })).status).toBe(401)
    expect((await rt.app.request('/users/toorop@tmail.io', { headers: tmailAdmin })).status).toBe(500)
    expect((await rt.app.request('/users/toorop@tmail.io', { headers: tmailAdmin })).status).toBe(200)
    await fault({ plugin: 'tmail', path: '/queue*', status: 502 })
    expect((await rt.app.request('/queue', { headers: tmailAdmin })).status).toBe(502)
    expect((await rt.app.request('/users', { headers: tmailAdmin })).status).toBe(200)
    await rt.app.request('/_mailfront/faults', { method: 'DELETE' })
    await fault({ plugin: 'tmail', status: 500, probability: 0 })
    expect((await rt.app.request('/ping')).status).toBe(200)
    const listed = (await (await rt.app.request('/_mailfront/faults')).json()) as {
      faults: { fired: number }[]
      errors: Record<string, string[]>
    }
    expect(listed.faults[0]!.fired).toBe(0)
    expect(listed.errors.smtpd).toContain('RATE_LIMITED')
    expect(listed.errors.mailboxorg).toContain('ACCOUNT_NOT_FOUND')
  })

  it('rejects a bad fault, naming the field', async () => {
    const bad = async (f: unknown) => {
      const res = await post(rt, '/_mailfront/faults', f)
      expect(res.status).toBe(400)
      return ((await res.json()) as { error: string }).error
    }
    expect(await bad({ plugin: 'nope', status: 500 })).toBe(
      `plugin: no mounted plugin "nope" (mounted: ${installedIds().join(', ')}; smtp for the SMTP port)`,
    )
    expect(await bad({ plugin: 'tmail' })).toBe('(body): give latencyMs, status or error (or several)')
    expect(await bad({ plugin: 'tmail', status: 200 })).toMatch(/^status: /)
    expect(await bad({ plugin: 'tmail', error: 'NO_SUCH_THING' })).toMatch(
      /^error: plugin "tmail" has no error NO_SUCH_THING/,
    )
    expect(await bad({ plugin: 'tmail', status: 500, extra: 1 })).toMatch(/extra/)
    expect(await bad('{')).toBe('the body must be JSON')
  })
})

const xml = (code: number, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>${code}</code>\n    <message>${message}</message>\n  </error>\n</result>\n`
const rpc = (code: number, message: string) =>
  JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null })
const UNAVAILABLE = 'Service temporarily unavailable, try again later'

/** One request per plugin that succeeds without a fault, and what each fault makes of it. */
const CASES: {
  plugin: string
  request: (rt: Runtime) => Response | Promise<Response>
  ok: number
  faults: [fault: object, status: number, type: string, body: string][]
}[] = [
  {
    plugin: 'authsmtp',
    request: (rt) => rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth }),
    ok: 200,
    faults: [
      [
        { error: 'RATE_LIMITED' },
        200,
        'text/xml; charset=UTF-8',
        xml(1, 'Rate limit exceeded: no more than 1 API request every 20 seconds'),
      ],
      [{ error: 'SERVICE_UNAVAILABLE' }, 503, 'text/xml; charset=UTF-8', xml(9, `${UNAVAILABLE}`)],
      [{ status: 503 }, 503, 'text/xml; charset=UTF-8', xml(9, UNAVAILABLE)],
      [{ status: 500 }, 500, 'text/plain; charset=UTF-8', 'Internal Error'],
      [{ status: 401 }, 401, 'text/plain; charset=UTF-8', 'Not Authorized'],
      [{ status: 404 }, 404, 'text/plain; charset=UTF-8', 'Not Found'],
    ],
  },
  {
    plugin: 'smtpd',
    request: (rt) => rt.app.request('/api/v1/billing/plan'),
    ok: 200,
    faults: [
      [{ error: 'RATE_LIMITED' }, 429, 'application/json', '{"code":42901,"message":"Too many requests"}'],
      [{ status: 503 }, 503, 'application/json', `{"code":50301,"message":"${UNAVAILABLE}"}`],
      [{ status: 500 }, 500, 'application/json', '{"code":50001,"message":"Internal error"}'],
      [
        { status: 401 },
        401,
        'application/json',
        '{"code":40101,"message":"Missing or invalid bearer token"}',
      ],
      [
        { error: 'BAD_CREDENTIALS' },
        403,
        'application/json',
        '{"code":40102,"message":"Username and password are incorrect"}',
      ],
    ],
  },
  {
    plugin: 'tmail',
    request: (rt) => rt.app.request('/ping'),
    ok: 200,
    faults: [
      [
        { error: 'RATE_LIMITED' },
        429,
        'application/json; charset=UTF-8',
        '{"msg":"Too many requests","raw":""}',
      ],
      [
        { status: 503 },
        503,
        'application/json; charset=UTF-8',
        '{"msg":"service temporarily unavailable","raw":""}',
      ],
      [{ status: 500 }, 500, 'application/json; charset=UTF-8', '{"msg":"internal server error","raw":""}'],
      [{ status: 401 }, 401, 'application/json; charset=UTF-8', '{"msg":"Unauthorized","raw":""}'],
    ],
  },
  {
    plugin: 'mailboxorg',
    request: (rt) => post(rt, '/v1/', '{"jsonrpc":"2.0","method":"hello.world","id":"1"}'),
    ok: 200,
    faults: [
      [
        { error: 'RATE_LIMITED' },
        200,
        'application/json',
        rpc(1008, 'Too many requests for this session, wait 60 seconds'),
      ],
      [{ error: 'ACCOUNT_NOT_FOUND' }, 200, 'application/json', rpc(1001, 'Account not found')],
      [{ error: 'INTERNAL' }, 200, 'application/json', rpc(-32603, 'Internal error')],
      [{ status: 503 }, 503, 'application/json', rpc(-32000, UNAVAILABLE)],
      [{ status: 500 }, 500, 'application/json', rpc(-32603, 'Internal error')],
    ],
  },
]

describe('each fault kind in each provider format', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())

  for (const c of CASES)
    it(`${c.plugin}: its own error, a bare status, latency; then the real answer again`, async () => {
      for (const [f, status, type, body] of c.faults) {
        const added = await post(rt, '/_mailfront/faults', { plugin: c.plugin, count: 1, ...f })
        expect(added.status, await added.clone().text()).toBe(201)
        const res = await c.request(rt)
        expect([JSON.stringify(f), res.status, res.headers.get('content-type')]).toEqual([
          JSON.stringify(f),
          status,
          type,
        ])
        expect(await res.text()).toBe(body)
        // An outage carries Retry-After, as the core's real 503 does.
        expect(res.headers.get('retry-after')).toBe(status === 503 ? '5' : null)
        // count: 1, so the next request is served for real.
        expect((await c.request(rt)).status).toBe(c.ok)
      }
      await post(rt, '/_mailfront/faults', { plugin: c.plugin, latencyMs: 80, count: 1 })
      const t0 = Date.now()
      expect((await c.request(rt)).status).toBe(c.ok)
      // The floor the fault promises, not a speed assertion.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(70)
    })
})

describe('a latency fault when the runtime closes', () => {
  it('ends its wait: the request gets 503 at once, the real handler never runs on the closed store', async () => {
    const rt = await runtime()
    expect((await post(rt, '/_mailfront/faults', { plugin: 'tmail', latencyMs: 60_000 })).status).toBe(201)
    const pending = rt.app.request('/users/toorop@tmail.io', { headers: tmailAdmin })
    // The fault has fired (the request is in its wait) before the runtime closes.
    while (rt.faults.list()[0]?.fired !== 1) await new Promise((r) => setImmediate(r))
    await rt.close()
    const res = await pending
    expect(res.status).toBe(503)
    expect(res.headers.get('Retry-After')).not.toBeNull()
  })
})

describe("a fault's error is rendered with the plugin's context", () => {
  // AuthSMTP reads MAILFRONT_AUTHSMTP_CHALLENGE from the context renderError gets (no closure state).
  it('an injected 401 from AuthSMTP carries the Basic challenge only when the option is on', async () => {
    for (const [challenge, header] of [
      ['true', 'Basic realm="AuthSMTP API"'],
      ['false', null],
    ] as const) {
      const rt = await runtime({ MAILFRONT_AUTHSMTP_CHALLENGE: challenge })
      try {
        const res = await post(rt, '/_mailfront/faults', { plugin: 'authsmtp', status: 401 })
        expect(res.status).toBe(201)
        const a = await rt.app.request('/restful/basic_user/aa12345', { headers: authsmtpAuth })
        expect([a.status, await a.text(), a.headers.get('www-authenticate')]).toEqual([
          401,
          'Not Authorized',
          header,
        ])
      } finally {
        await rt.close()
      }
    }
  })
})
