import { encodeBasic, silentLogger } from '@mailfront/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from '../src/runtime.ts'
import { type FuzzTargets, fuzzInputs, SECRET } from './fuzz-inputs.ts'

// Property-based bad input through app.request(): every route of every plugin (taken from the
// server's own OpenAPI and OpenRPC documents), with random methods, paths, headers, query strings
// and bodies. Never a 500, always the plugin's own error format, never a secret echoed.
// The run count is bounded (RUNS per plugin) so the file stays well under 30 s; a failure prints
// fast-check's seed and shrunk counterexample, and FUZZ_RUNS=… runs more.

const RUNS = Number(process.env.FUZZ_RUNS ?? 250)

let rt: Runtime
/** The routes, and valid credentials so the random input also reaches the handlers behind login. */
const targets: FuzzTargets = { ops: [], rpcMethods: [], valid: {} }
const { ops, valid } = targets
const { restRequest, rpcRequest, rawBody, segment, extraHeaders, methodOf } = fuzzInputs(targets)
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
    : path.startsWith('/oauth/') || path.startsWith('/api/v1/') || /^\/(t|f)(\/|$)/.test(path)
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
  targets.ops = ops.filter((o) => o.plugin !== 'mailboxorg')
  const rpc = await (await rt.app.request('/openrpc.json')).json()
  targets.rpcMethods = rpc.methods.map((m: { name: string; params: { name: string }[] }) => ({
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
