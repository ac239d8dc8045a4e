import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../errors.ts'
import type { PluginEnv } from '../plugin.ts'
import { readBodyText } from './body.ts'

const app = new Hono<PluginEnv>()
app.post('/', async (c) => c.text(`got:${await readBodyText(c, 16)}`))
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
  it('falls back to the web Request without a Node socket', async () => {
    expect(await (await app.request('/', { method: 'POST', body: 'abc' })).text()).toBe('got:abc')
  })
})
