import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../errors.ts'
import type { PluginEnv } from '../plugin.ts'
import { readBodyText } from './body.ts'

const app = new Hono<PluginEnv>()
app.post('/', async (c) => c.text(`got:${await readBodyText(c, 16)}`))
// As the core's chunked-body check does: the web body is read to its end before the handler.
app.post('/pre-read', async (c) => {
  const reader = c.req.raw.body?.getReader()
  while (reader && !(await reader.read()).done);
  return c.text(`got:${await readBodyText(c, 16)}`)
})
app.onError((e, c) =>
  c.text(e instanceof ApiError ? e.code : 'other', e instanceof ApiError ? (e.status as 413) : 500),
)

let server: ReturnType<typeof serve>
let url: string
beforeAll(async () => {
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((r) => server.once('listening', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('readBodyText over a real Node server (the socket is read directly)', () => {
  it('reads a body, multi-byte characters included', async () => {
    const res = await fetch(url, { method: 'POST', body: 'héllo wörld' })
    expect(await res.text()).toBe('got:héllo wörld')
  })
  it('refuses a declared length over the limit', async () => {
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(17) })
    expect([res.status, await res.text()]).toEqual([413, 'BODY_TOO_LARGE'])
  })
  it('counts a chunked body while reading it', async () => {
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode('abcdef'))
        c.close()
      },
    })
    const res = await fetch(url, { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect([res.status, await res.text()]).toEqual([413, 'BODY_TOO_LARGE'])
  })
  it('answers a POST without a body even when its end was already consumed', async () => {
    // No Content-Length, no Transfer-Encoding: a body-less POST, as `curl -X POST` sends it.
    const { connect } = await import('node:net')
    const u = new URL(url)
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () =>
        s.write('POST /pre-read HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      )
      let text = ''
      s.on('data', (d) => {
        text += d
      })
      s.on('end', () => resolve(text))
      s.on('error', reject)
      s.setTimeout(3000, () => reject(new Error('no answer: the body read hung')))
    })
    expect(answer).toMatch(/^HTTP\/1\.1 200[\s\S]*got:$/)
  })
  it('falls back to the web Request without a Node socket', async () => {
    expect(await (await app.request('/', { method: 'POST', body: 'abc' })).text()).toBe('got:abc')
  })
})
