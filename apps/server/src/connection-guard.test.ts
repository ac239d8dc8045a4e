import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guardConnections } from './connection-guard.ts'

const server = createServer((_req, res) => res.end('ok'))
let guard: ReturnType<typeof guardConnections>
let port: number
beforeAll(async () => {
  guard = guardConnections(server, { headersTimeoutMs: 300, maxPerAddress: 3 }, silentLogger, { tls: false })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const open = (localAddress?: string) => {
  const t0 = performance.now()
  const sock = connect({ port, host: '127.0.0.1', localAddress })
  sock.on('error', () => undefined)
  return { sock, closed: new Promise<number>((r) => sock.once('close', () => r(performance.now() - t0))) }
}

describe('connection guard', () => {
  it('closes a connection that sends nothing at the header deadline, counted from accept', async () => {
    const ms = await open().closed
    expect(ms).toBeGreaterThanOrEqual(280)
    expect(ms).toBeLessThan(1500)
  })
  it('keeps a connection whose first request arrived', async () => {
    const c = open()
    c.sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    let text = ''
    c.sock.on('data', (d) => {
      text += d
    })
    await new Promise((r) => setTimeout(r, 500))
    expect(text).toContain('ok')
    expect(c.sock.destroyed).toBe(false)
    c.sock.destroy()
    await c.closed
  })
  it('refuses connections over the bound for one address, not for another', async () => {
    const mine = Array.from({ length: 5 }, () => open('127.0.0.4'))
    const other = open('127.0.0.5')
    const early = await Promise.all(
      mine.map((c) =>
        Promise.race([c.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 150))]),
      ),
    )
    expect(early.filter(Boolean)).toHaveLength(2)
    expect(guard.refused()).toBe(2)
    expect(guard.open()).toBe(4)
    await Promise.all([...mine.map((c) => c.closed), other.closed])
    // The server sees its side close a moment after the client does.
    for (let i = 0; i < 50 && guard.open() > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(guard.open()).toBe(0)
  })
})
