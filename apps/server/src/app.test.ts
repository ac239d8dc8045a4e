import SwaggerParser from '@apidevtools/swagger-parser'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { installedIds } from './registry.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from './runtime.ts'

const auth = { Authorization: encodeBasic('aa12345', 'demo-api-password') }

async function runtime(env: Record<string, string> = {}): Promise<Runtime> {
  const config = loadConfig({
    MAILFRONT_DATABASE_URL: 'memory:',
    MAILFRONT_SECRET: 'x'.repeat(40),
    MAILFRONT_DEMO: 'on',
    MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0',
    ...env,
  })
  const rt = await createRuntime(config, silentLogger)
  await loadStartupFixtures(rt)
  return rt
}

describe('composed server (app.request)', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())

  it('dispatches to a plugin at its native paths and returns a request id', async () => {
    const res = await rt.app.request('/restful/basic_user/aa12345', { headers: auth })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<messages_limit>1000</messages_limit>')
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(
      (await rt.app.request('/healthz', { headers: { 'X-Request-Id': 'abc-1' } })).headers.get(
        'x-request-id',
      ),
    ).toBe('abc-1')
  })

  it('answers 404 for paths no plugin owns', async () => {
    expect((await rt.app.request('/nowhere')).status).toBe(404)
  })

  it('serves health, readiness and Prometheus metrics', async () => {
    expect(await (await rt.app.request('/healthz')).json()).toEqual({ status: 'ok' })
    expect(await (await rt.app.request('/readyz')).json()).toEqual({ status: 'ready', storage: 'memory' })
    await rt.app.request('/restful/basic_user/aa12345', {
      headers: { Authorization: encodeBasic('aa12345', 'bad') },
    })
    const text = await (await rt.app.request('/metrics')).text()
    expect(text).toMatch(
      /mailfront_http_requests_total\{plugin="authsmtp",route="\/restful\/basic_user\/:userId",method="GET",status="200"\} \d+/,
    )
    expect(text).toMatch(/mailfront_auth_failures_total\{plugin="authsmtp"\} [1-9]/)
    expect(text).toContain('mailfront_http_request_duration_seconds_bucket')
  })

  it('publishes a merged OpenAPI 3.1 document that validates, with prefixed components', async () => {
    const doc = await (await rt.app.request('/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    // Names already starting with the plugin id are kept; others get `<id>_`.
    const schemes = Object.keys(doc.components.securitySchemes)
    expect(schemes).toEqual(
      expect.arrayContaining([
        'authsmtpBasic',
        'smtpdBasic',
        'smtpdBearer',
        'smtpdKeySecret',
        'tmailBasic',
        'mailboxorgSession',
      ]),
    )
    // Every installed plugin's schemes, in mount order, each under its plugin's id.
    const ids = installedIds()
    const owner = (name: string) => ids.findIndex((id) => name.startsWith(id))
    expect(schemes.map(owner)).toEqual(schemes.map(owner).sort((a, b) => a - b))
    expect(schemes.map(owner)).not.toContain(-1)
    expect(doc.paths['/v1/'].post.operationId).toBe('mailboxorgRpc')
    expect(doc.paths['/oauth/me'].get.security).toEqual([{ smtpdBearer: [] }])
    expect(doc.paths['/users/{login}'].post.security).toEqual([{ tmailBasic: [] }])
    expect(doc.paths['/users'].get.parameters[0]['x-mailfront-extension']).toBe(true)
    expect(doc.paths['/restful/basic_user/{userId}'].get.security).toEqual([{ authsmtpBasic: [] }])
    expect(
      doc.paths['/restful/basic_user/{userId}'].get.responses['200'].content['text/xml'].examples.data.value,
    ).toContain('<basic_user>')
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy()
    const one = await (await rt.app.request('/openapi/authsmtp.json')).json()
    await expect(SwaggerParser.validate(one)).resolves.toBeTruthy()
    expect((await rt.app.request('/openapi/nope.json')).status).toBe(404)
  })

  it('serves the docs page and its assets locally (no CDN)', async () => {
    const html = await (await rt.app.request('/docs')).text()
    for (const src of html.match(/(?:src|href)="([^"]+)"/g) ?? []) expect(src).toMatch(/="\/docs\//)
    const js = await rt.app.request('/docs/assets/swagger-ui-bundle.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toContain('javascript')
    expect((await rt.app.request('/docs/assets/..%2Fpackage.json')).status).toBe(404)
  })
})

describe('HTTPS only, behind a trusted proxy', () => {
  it('rejects a plain-HTTP request in the provider format, and serves an HTTPS one', async () => {
    const rt = await runtime({ MAILFRONT_TRUST_PROXY: 'true' })
    const plain = await rt.app.request('/restful/basic_user/aa12345', {
      headers: { ...auth, 'X-Forwarded-Proto': 'http' },
    })
    expect(plain.status).toBe(200)
    expect(await plain.text()).toContain(
      '<code>9</code>\n    <message>The API can only be accessed over HTTPS</message>',
    )
    const tls = await rt.app.request('/restful/basic_user/aa12345', {
      headers: { ...auth, 'X-Forwarded-Proto': 'https' },
    })
    expect(await tls.text()).toContain('<basic_user>')
    await rt.close()
  })
  it('ignores X-Forwarded-Proto when the proxy is not trusted', async () => {
    const rt = await runtime()
    const res = await rt.app.request('/restful/basic_user/aa12345', {
      headers: { ...auth, 'X-Forwarded-Proto': 'http' },
    })
    expect(await res.text()).toContain('<basic_user>')
    await rt.close()
  })
})

describe('mount options', () => {
  it('mounts a plugin under a prefix instead of its native paths', async () => {
    const rt = await runtime({ MAILFRONT_AUTHSMTP_PREFIX: '/authsmtp' })
    expect((await rt.app.request('/authsmtp/restful/basic_user/aa12345', { headers: auth })).status).toBe(200)
    expect((await rt.app.request('/restful/basic_user/aa12345', { headers: auth })).status).toBe(404)
    const doc = await (await rt.app.request('/openapi.json')).json()
    expect(Object.keys(doc.paths)).toContain('/authsmtp/restful/basic_user/{userId}')
    await rt.close()
  })
  it('serves a plugin only for its hostname', async () => {
    const rt = await runtime({ MAILFRONT_AUTHSMTP_HOSTNAME: 'secure.authsmtp.test' })
    expect(
      (await rt.app.request('http://secure.authsmtp.test/restful/basic_user/aa12345', { headers: auth }))
        .status,
    ).toBe(200)
    expect(
      (await rt.app.request('http://other.test/restful/basic_user/aa12345', { headers: auth })).status,
    ).toBe(404)
    await rt.close()
  })
})
