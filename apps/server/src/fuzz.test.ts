import { encodeBasic, silentLogger } from '@mailfront/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

// Property-based bad input through app.request(): every route of every plugin (taken from the
// server's own OpenAPI and OpenRPC documents), with random methods, paths, headers, query strings
// and bodies. Never a 500, always the plugin's own error format, never a secret echoed.
// The run count is bounded (RUNS per plugin) so the file stays well under 30 s; a failure prints
// fast-check's seed and shrunk counterexample, and FUZZ_RUNS=… runs more.

const RUNS = Number(process.env.FUZZ_RUNS ?? 250)
const SECRET = 'S3cr3t-Mark-7f2a'

let rt: Runtime
interface Op {
  plugin: string
  method: string
  template: string
  bodyKeys: string[]
  queryKeys: string[]
}
let ops: Op[] = []
let rpcMethods: { name: string; params: string[] }[] = []
/** Valid credentials, so the random input also reaches the handlers behind authentication. */
const valid: Record<string, Record<string, string>> = {}
/** Every credential a response must never contain. */
const secrets: string[] = []
const stats = {
  requests: 0,
  byPlugin: {} as Record<string, number>,
  statuses: {} as Record<number, number>,
}

const pluginOf = (path: string) =>
  path.startsWith('/restful/')
    ? 'authsmtp'
    : path.startsWith('/oauth/') || path.startsWith('/api/v1/')
      ? 'smtpd'
      : /^\/(ping|users|queue)(\/|$)/.test(path)
        ? 'tmail'
        : /^\/v1\/?$/.test(path)
          ? 'mailboxorg'
          : 'mailfront'

beforeAll(async () => {
  rt = await createRuntime(
    loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
    }),
    silentLogger,
  )
  await loadStartupFixtures(rt)
  const doc = await (await rt.app.request('/openapi.json')).json()
  for (const [template, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const body = (op.requestBody as { content?: Record<string, { schema?: { properties?: object } }> })
        ?.content
      const schema = body && Object.values(body)[0]?.schema
      const params = (op.parameters as { in: string; name: string }[] | undefined) ?? []
      ops.push({
        plugin: pluginOf(template.replace(/\{[^}]+\}/g, 'x')),
        method: method.toUpperCase(),
        template,
        bodyKeys: Object.keys(schema?.properties ?? {}),
        queryKeys: params.filter((p) => p.in === 'query').map((p) => p.name),
      })
    }
  }
  ops = ops.filter((o) => o.plugin !== 'mailboxorg')
  const rpc = await (await rt.app.request('/openrpc.json')).json()
  rpcMethods = rpc.methods.map((m: { name: string; params: { name: string }[] }) => ({
    name: m.name,
    params: m.params.map((p) => p.name),
  }))
  valid.authsmtp = { Authorization: encodeBasic('aa12345', 'demo-api-password') }
  valid.tmail = { Authorization: encodeBasic('admin', 'admin') }
  const grant = await rt.app.request('/oauth/token?grant_type=password', {
    method: 'POST',
    headers: { Authorization: encodeBasic('jack.truong@example.com', 'demo-password') },
  })
  const tokens = await grant.json()
  valid.smtpd = { Authorization: `Bearer ${tokens.access_token}` }
  const auth = await rt.app.request('/v1/', {
    method: 'POST',
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'auth',
      params: { user: 'demo_admin', pass: 'demo-admin-pass' },
      id: 1,
    }),
  })
  valid.mailboxorg = { 'HPLS-AUTH': (await auth.json()).result.session }
  secrets.push(
    SECRET,
    'demo-api-password',
    'demo-password',
    'demo-secret',
    'demo-admin-pass',
    tokens.access_token,
    tokens.refresh_token,
    valid.mailboxorg['HPLS-AUTH']!,
  )
})
afterAll(() => rt.close())

// --- generators -----------------------------------------------------------------------------

/** Strings a client can put anywhere: unicode, control characters, long, special, the secret. */
const nasty = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((n) => String.fromCharCode(n)), maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../..',
    '%00',
    '%',
    '\u0000',
    '\u202e',
    '😀',
    "' OR 1=1 --",
    '<x/>',
    '{{7*7}}',
    '$6$rounds=999999999$x$',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'a'.repeat(n)),
)
/** Secret positions (passwords, tokens, session ids) get the marker, and only they do. */
const SECRET_KEYS = /^(password|passwd|pass|secret|refresh_token|password_hash|api_password|token)$/i
const secretValue = fc.oneof(
  fc.constant(SECRET),
  fc.string({ maxLength: 8 }).map((s) => `${s}${SECRET}`),
)
/** Latin-1 only: what an HTTP header can carry (fetch refuses other characters before sending). */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((n) => String.fromCharCode(n)), maxLength: 40 }),
  fc.integer({ min: 1000, max: 16_000 }).map((n) => 'h'.repeat(n)),
)
const jsonLeaf = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt().map((b) => Number(b)),
)
const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
  ),
})).v

const deep = fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'null',
    '""',
    '0',
    'true',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
  ),
  fc.constantFrom(
    '<?xml version="1.0"?><a>',
    '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    '<a><b></a>',
  ),
  deep,
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => `{"x":"${'y'.repeat(n)}"}`),
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 50 }).map((s) => `a=${encodeURIComponent(s)}&password=${SECRET}`),
)
const objectBody = (keys: string[]) =>
  fc
    .record(
      Object.fromEntries(
        keys.map((k) => [k, SECRET_KEYS.test(k) ? fc.oneof(secretValue, jsonValue) : jsonValue]),
      ),
      {
        requiredKeys: [],
      },
    )
    .map((o) => JSON.stringify(o))

const methodOf = (m: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(m) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        'HEAD',
        'PROPFIND',
        'get',
      ),
    },
  )

/** Authorization variants: none, the valid one, broken, huge, latin-1, and Basic/Bearer with the secret. */
const authFor = (plugin: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(valid[plugin] ?? {}) },
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 2, arbitrary: headerText.map((h) => ({ Authorization: h })) },
    {
      weight: 1,
      arbitrary: headerText.map((h) => ({
        Authorization: `Basic ${h}${Buffer.from(`:${SECRET}`).toString('base64')}`,
      })),
    },
    { weight: 2, arbitrary: headerText.map((h) => ({ Authorization: `Bearer ${h}${SECRET}` })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('Basic', 'Basic ', 'Basic ===', 'Basic Og==', 'Bearer', 'Bearer a.b.c', 'Digest x')
        .map((h) => ({ Authorization: h })),
    },
    // A well-formed Basic with a wrong secret costs a slow hash: rare, to keep the run short.
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('aa12345', 'admin', 'jack.truong@example.com', 'demo-key')
        .map((u) => ({ Authorization: encodeBasic(u, SECRET) })),
    },
    {
      weight: 1,
      arbitrary: headerText.map((h) => ({
        'HPLS-AUTH': `${h}${SECRET}`,
        Authentication: `Bearer ${SECRET}`,
      })),
    },
  )

const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'Content-Type',
    'Accept',
    'Accept-Language',
    'X-Forwarded-For',
    'X-Request-Id',
    'Host',
    'X-Custom',
    'Content-Encoding',
    'Transfer-Encoding',
  ),
  fc.oneof(
    headerText,
    fc.constantFrom(
      'application/json',
      'text/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'gzip',
      'de',
      '*/*',
    ),
  ),
  { maxKeys: 3 },
)

const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'aa12345',
      'aa99999',
      'toorop@tmail.io',
      '1',
      '0',
      '-1',
      'demo-key',
      '19ab52c7-da60-4dd2-af27-19f17d6afe37',
    ),
  },
  { weight: 2, arbitrary: nasty.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.constantFrom('%2e%2e', '%2F', '..', '%ff', '%E2%82', '%00', '9'.repeat(40)) },
)

// The routes are read in beforeAll: `chain` defers the choice until a run draws it.
const restRequest = fc
  .constant(null)
  .chain(() => fc.constantFrom(...ops))
  .chain((op) =>
    fc.record({
      plugin: fc.constant(op.plugin),
      method: methodOf(op.method),
      path: fc
        .tuple(
          fc.array(segment, { minLength: 3, maxLength: 3 }),
          fc.oneof(
            { weight: 5, arbitrary: fc.constant('') },
            fc.constantFrom('/', '//', '/extra', '/%2e%2e/x'),
          ),
        )
        .map(([segs, tail]) => {
          let i = 0
          return op.template.replace(/\{[^}]+\}/g, () => segs[i++ % segs.length]!) + tail
        }),
      query: fc.dictionary(
        fc.oneof(
          fc.constantFrom(...op.queryKeys, 'grant_type', 'page', 'limit'),
          fc.string({ maxLength: 6 }),
        ),
        fc.oneof(fc.constantFrom('password', 'refresh_token', '-1', '1e309', '999999999999999999999'), nasty),
        { maxKeys: 3 },
      ),
      headers: fc.tuple(authFor(op.plugin), extraHeaders).map(([a, h]) => ({ ...h, ...a })),
      body: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: objectBody([...op.bodyKeys, 'password', 'Passwd', 'refresh_token']) },
        { weight: 2, arbitrary: rawBody },
      ),
    }),
  )

const rpcCall = fc
  .constant(null)
  .chain(() => fc.constantFrom(...rpcMethods))
  .chain((m) =>
    fc.record(
      {
        jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, fc.constantFrom('1.0', 2, null)),
        method: fc.oneof({ weight: 8, arbitrary: fc.constant(m.name) }, nasty),
        params: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.record(
              Object.fromEntries(
                m.params.map((p) => [p, SECRET_KEYS.test(p) ? fc.oneof(secretValue, jsonValue) : jsonValue]),
              ),
              { requiredKeys: [] },
            ),
          },
          fc.constantFrom('', null, [], {}, 7, 'x'),
        ),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.constant({ a: 1 })),
      },
      { requiredKeys: ['method'] },
    ),
  )
const rpcRequest = fc.record({
  plugin: fc.constant('mailboxorg'),
  method: methodOf('POST'),
  path: fc.constantFrom('/v1/', '/v1'),
  query: fc.constant({}),
  headers: fc.tuple(authFor('mailboxorg'), extraHeaders).map(([a, h]) => ({ ...h, ...a })),
  body: fc.oneof(
    { weight: 4, arbitrary: rpcCall.map((c) => JSON.stringify(c)) },
    { weight: 1, arbitrary: fc.array(rpcCall, { maxLength: 5 }).map((c) => JSON.stringify(c)) },
    { weight: 2, arbitrary: rawBody },
  ),
})

// --- the properties -------------------------------------------------------------------------

type Req = {
  plugin: string
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body?: string
}

const FORMAT: Record<string, (res: Response, text: string) => boolean> = {
  authsmtp: (res, text) =>
    (/^text\/xml/.test(res.headers.get('content-type') ?? '') && text.includes('<error>')) ||
    ['Not Authorized', 'Not Found', 'Request Entity Too Large'].includes(text),
  smtpd: (_res, text) => {
    const j = parse(text)
    return typeof j?.code === 'number' && typeof j?.message === 'string'
  },
  tmail: (_res, text) => typeof parse(text)?.msg === 'string',
  mailboxorg: (_res, text) => parse(text)?.jsonrpc === '2.0',
  mailfront: (_res, text) => text === 'Not Found',
}
function parse(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text)
    return v && typeof v === 'object' ? v : null
  } catch {
    return null
  }
}

async function send(r: Req) {
  const qs = new URLSearchParams(r.query).toString()
  let res: Response
  try {
    res = await rt.app.request(`${r.path}${qs ? `?${qs}` : ''}`, {
      method: r.method,
      headers: r.headers,
      ...(r.body !== undefined && !['GET', 'HEAD'].includes(r.method.toUpperCase()) ? { body: r.body } : {}),
    })
  } catch (e) {
    // A request the fetch API itself refuses to build (a forbidden method or header) never reaches us.
    if (e instanceof TypeError && !/mailfront/.test(String(e.stack))) return
    throw e
  }
  const text = await res.text()
  stats.requests++
  stats.byPlugin[r.plugin] = (stats.byPlugin[r.plugin] ?? 0) + 1
  stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1
  const where = `${r.method} ${r.path} → ${res.status} ${text.slice(0, 200)}`
  if (res.status >= 500) console.log(`500: ${JSON.stringify(r).slice(0, 600)} → ${text.slice(0, 300)}`)
  expect(res.status, where).toBeLessThan(500)
  const owner = pluginOf(new URL(`http://x${r.path}`).pathname)
  const isError = res.status >= 400 || (owner === 'authsmtp' && text.includes('<error>'))
  if (
    isError &&
    r.method.toUpperCase() !== 'HEAD' &&
    res.status !== 405 &&
    !(res.status === 404 && text === 'Not Found')
  )
    expect(FORMAT[owner]!(res, text), `${owner} format: ${where}`).toBe(true)
  // An incoming X-Request-Id is returned as sent (the documented contract): not an echo of a secret.
  const lines: string[] = []
  res.headers.forEach((v, k) => {
    if (k !== 'x-request-id') lines.push(`${k}: ${v}`)
  })
  const headers = lines.join('\n')
  for (const s of secrets) expect(`${text}\n${headers}`.includes(s), `echoed a secret: ${where}`).toBe(false)
}

describe('bad input, property-based (fast-check, app.request)', () => {
  it.each(['authsmtp', 'smtpd', 'tmail'])(
    '%s: every route with random methods, paths, headers, queries and bodies',
    async (plugin) => {
      const mine = restRequest.filter((r) => r.plugin === plugin)
      // Most AuthSMTP requests name an unknown user id, and each pays a (dummy) slow hash: fewer runs.
      await fc.assert(fc.asyncProperty(mine, send), {
        numRuns: plugin === 'authsmtp' ? Math.round(RUNS * 0.6) : RUNS,
      })
    },
    60_000,
  )
  it('mailboxorg: every method with random envelopes, params and bodies', async () => {
    await fc.assert(fc.asyncProperty(rpcRequest, send), { numRuns: RUNS * 2 })
  }, 60_000)
  it('mailfront: paths no plugin owns and random methods', async () => {
    const any = fc.record({
      plugin: fc.constant('mailfront'),
      method: methodOf('GET'),
      path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
      query: fc.constant({}),
      headers: extraHeaders,
      body: fc.option(rawBody, { nil: undefined }),
    })
    await fc.assert(fc.asyncProperty(any, send), { numRuns: RUNS })
    console.log(
      `fuzz: ${stats.requests} requests; by plugin ${JSON.stringify(stats.byPlugin)}; statuses ${JSON.stringify(stats.statuses)}`,
    )
  }, 60_000)

  it('regressions it found: a tmail login outside Latin-1 is created with a 201 and a percent-encoded Location', async () => {
    // Was: the user was created, then setting the Location header threw, and the client got a 500.
    const res = await rt.app.request('/users/%C4%81%20%23@example.com', {
      method: 'POST',
      headers: { Authorization: encodeBasic('admin', 'admin') },
      body: '{"Passwd":"abcdefgh"}',
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('location')).toBe('https://localhost/users/%C4%81%20%23@example.com')
  })
})
