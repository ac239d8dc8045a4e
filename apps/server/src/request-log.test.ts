import { connect } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtime } from '../test/demo-runtime.ts'
import type { RequestEntry } from './request-log.ts'
import type { Runtime } from './runtime.ts'

// Over real Node the log keeps the request's `rawHeaders`, not the `Headers` view over the message,
// and builds the headers when read: what a reader sees must be what the view gave (names lower-cased
// and sorted, repeated names joined, secrets redacted).

/** One request written byte for byte on a socket; resolves with the whole answer once the server closes. */
function send(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text)) // `Connection: close`: the server ends it
    let out = ''
    s.on('data', (b) => {
      out += b.toString()
    })
    s.on('end', () => resolve(out))
    s.on('error', reject)
  })
}

describe('the request log over real Node', () => {
  let rt: Runtime
  let server: ReturnType<typeof createAdaptorServer>
  let port: number
  beforeAll(async () => {
    // Plain HTTP here: the plugins would otherwise answer only HTTPS is required.
    rt = await runtime({ MAILFRONT_REQUEST_LOG_SIZE: '5', MAILFRONT_REQUIRE_HTTPS: 'false' })
    server = createAdaptorServer({ fetch: rt.app.fetch })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
    await rt.close()
  })

  it('shows the request headers as received: lower-cased, sorted, repeats joined, secrets redacted', async () => {
    const body = '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":1}'
    const answer = await send(
      port,
      [
        'POST /v1/?session=s3cr3t-in-query&x=1 HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'X-Dup: a',
        'x-dup: b',
        'Authorization: Basic dGVzdF9hY2NvdW50OjEyMzQ1Ng==',
        'Cookie: sid=cookie-secret-1',
        'cookie: other=cookie-secret-2',
        'X-Api-Key: key-secret-3',
        'X-Request-Id: from-the-client-1',
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    )
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    const res = await rt.app.request('/_mailfront/requests')
    const text = await res.text()
    for (const secret of [
      '123456',
      'dGVzdF9hY2NvdW50OjEyMzQ1Ng',
      'cookie-secret',
      'key-secret-3',
      's3cr3t-in-query',
    ])
      expect(text).not.toContain(secret)
    const [e] = (JSON.parse(text) as { requests: RequestEntry[] }).requests
    expect(e).toMatchObject({ method: 'POST', path: '/v1/', plugin: 'mailboxorg', status: 200 })
    expect(e!.query).toBe('session=[redacted]&x=1')
    expect(JSON.stringify(e!.request.headers)).toBe(
      JSON.stringify({
        authorization: '[redacted]',
        connection: 'close',
        'content-length': String(body.length),
        'content-type': 'application/json',
        cookie: '[redacted]',
        host: `127.0.0.1:${port}`,
        'x-api-key': '[redacted]',
        'x-dup': 'a, b',
      }),
    )
    expect(e!.request.body).toEqual({
      text: '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"[redacted]"},"id":1}',
      truncated: false,
      contentType: 'application/json',
    })
    expect(e!.response.body.text).toContain('"session":"[redacted]"')
  })
})
