import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { connect } from 'node:tls'
import { afterAll, describe, expect, it } from 'vitest'
import { docsAssetPath } from '../src/docs.ts'
import { hasCurl, type ServerProcess, startServer } from './server-process.ts'

const insecure = { rejectUnauthorized: false }

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ...insecure, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
      .on('error', reject)
      .end()
  })
}

function curl(...args: string[]): string {
  return execFileSync('curl', ['-sk', '--max-time', '10', ...args], { encoding: 'utf8' })
}

describe('end to end: the real server process (TLS, SQLite)', () => {
  let srv: ServerProcess & { dataDir: string }
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('starts over TLS with a generated certificate and the demo data', async () => {
    srv = await startServer({ MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0' })
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    for (let i = 0; i < 50; i++) {
      if ((await get(`${srv.url}/readyz`)).status === 200) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(JSON.parse((await get(`${srv.url}/readyz`)).body)).toEqual({ status: 'ready', storage: 'sqlite' })
    expect(srv.output()).toContain('issued a certificate from the local CA')
    // Started from the clone (not a `mailfront` on PATH): the form that works from one.
    expect(srv.output()).toContain(
      '(trust it: sudo npx mailfront ca --install, or curl --cacert "$(npx mailfront ca --path)"; or use curl -k)',
    )
    expect(srv.output()).toContain('demo data loaded')
  })

  it('answers the seed example with curl -k', () => {
    if (!hasCurl) return console.log('curl is not installed: curl step skipped')
    const body = curl('-u', 'aa12345:demo-api-password', `${srv.url}/restful/basic_user/aa12345`)
    expect(body.split('\n')[7]).toBe('    <messages_limit>1000</messages_limit>')
    expect(curl('-o', '/dev/null', '-w', '%{http_code}', `${srv.url}/restful/basic_user/aa12345`)).toBe('401')
  })

  it('accepts a client that offers only http/1.0 in ALPN (curl --http1.0), and still picks http/1.1', async () => {
    const alpn = (protocols: string[]) =>
      new Promise<{ protocol: string | false | null; head: string }>((resolve, reject) => {
        const s = connect(
          { host: '127.0.0.1', port: Number(new URL(srv.url).port), ALPNProtocols: protocols, ...insecure },
          () => {
            s.end('GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n')
          },
        )
        let data = ''
        s.setEncoding('utf8')
        s.on('data', (d) => {
          data += d
        })
        s.on('end', () => resolve({ protocol: s.alpnProtocol ?? null, head: data.split('\r\n')[0]! }))
        s.on('error', reject)
      })
    // The handshake agrees on http/1.0; Node answers an HTTP/1.0 request with its own 1.1 status line.
    expect(await alpn(['http/1.0'])).toEqual({ protocol: 'http/1.0', head: 'HTTP/1.1 200 OK' })
    expect((await alpn(['h2', 'http/1.1'])).protocol).toBe('http/1.1')
    if (!hasCurl) return console.log('curl is not installed: curl --http1.0 step skipped')
    expect(curl('--http1.0', `${srv.url}/readyz`)).toBe('{"status":"ready","storage":"sqlite"}')
  })

  it('serves /docs, /openapi.json and /metrics', async () => {
    const docs = await get(`${srv.url}/docs`)
    expect(docs.status).toBe(200)
    expect(docs.body).toContain('/docs/assets/swagger-ui-bundle.js')
    expect(JSON.parse((await get(`${srv.url}/openapi.json`)).body).paths).toHaveProperty([
      '/restful/basic_user/{userId}',
    ])
    const metrics = await get(`${srv.url}/metrics`)
    expect(metrics.body).toContain('mailfront_http_requests_total')
  })

  it('rejects plain HTTP on the TLS port', async () => {
    const port = new URL(srv.url).port
    await expect(fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)).rejects.toThrow()
  })

  it('logs one JSON line per request, with its id and no secret', async () => {
    const res = await get(`${srv.url}/restful/basic_user/aa12345`, {
      Authorization: `Basic ${Buffer.from('aa12345:demo-api-password').toString('base64')}`,
      'X-Request-Id': 'e2e-req-1',
    })
    expect(res.headers['x-request-id']).toBe('e2e-req-1')
    await new Promise((r) => setTimeout(r, 300))
    const line = srv
      .output()
      .split('\n')
      .find((l) => l.includes('"reqId":"e2e-req-1"'))
    expect(line && JSON.parse(line)).toMatchObject({ msg: 'request', status: 200, plugin: 'authsmtp' })
    expect(srv.output()).not.toContain('demo-api-password"')
    expect(srv.output()).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/)
  })

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const expected = readFileSync(docsAssetPath('swagger-ui-bundle.js'))
    const body = await new Promise<Buffer>((resolve, reject) => {
      request(`${srv.url}/docs/assets/swagger-ui-bundle.js`, insecure, (res) => {
        res.pause()
        // The response is under way: stop the server now, then read the rest slowly.
        srv.child.kill('SIGTERM')
        const chunks: Buffer[] = []
        setTimeout(() => {
          res.on('data', (d: Buffer) => chunks.push(d))
          res.on('end', () => resolve(Buffer.concat(chunks)))
          res.resume()
        }, 500)
      })
        .on('error', reject)
        .end()
    })
    expect(body.length).toBe(expected.length)
    expect(await srv.exited).toBe(0)
  })

  it('keeps its data across a restart', async () => {
    const dataDir = srv.dataDir
    // Record usage through the CLI against the same data dir, then restart and read it over HTTP.
    execFileSync(
      process.execPath,
      [
        new URL('../bin/mailfront.js', import.meta.url).pathname,
        'authsmtp',
        'usage',
        'record',
        'aa12345',
        '--messages',
        '5',
        '--data-dir',
        dataDir,
      ],
      { encoding: 'utf8' },
    )
    srv = await startServer({ MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0' }, dataDir)
    expect(srv.output()).not.toContain('issued a certificate from the local CA')
    // The store still holds the demo data, so its try lines are printed again (not loaded again:
    // the usage recorded above survives, checked below).
    expect(srv.output()).toContain('demo data loaded; try:')
    let res = await get(`${srv.url}/readyz`)
    for (let i = 0; i < 50 && res.status !== 200; i++) res = await get(`${srv.url}/readyz`)
    const xml = (
      await get(`${srv.url}/restful/basic_user/aa12345`, {
        Authorization: `Basic ${Buffer.from('aa12345:demo-api-password').toString('base64')}`,
      })
    ).body
    expect(xml).toContain('<messages_sent>125</messages_sent>')
    srv.child.kill('SIGINT')
    expect(await srv.exited).toBe(0)
  })
})
