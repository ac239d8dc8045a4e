import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import { silentLogger } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { connectTarget, startConnectProxy } from './connect-proxy.ts'

// The e2e test (test/client-hostnames.test.ts) tunnels curl and Go through it; here, its bounds.

describe('the HTTPS proxy', () => {
  it('reads a CONNECT target: host and port, lower-cased, IPv6 in brackets', () => {
    expect(connectTarget('API.smtpd.dev.:443')).toEqual({ host: 'api.smtpd.dev', port: 443 })
    expect(connectTarget('[::1]:443')).toEqual({ host: '::1', port: 443 })
    expect(connectTarget('api.smtpd.dev')).toBeUndefined()
    expect(connectTarget('/path')).toBeUndefined()
  })

  const start = (o: { maxConnections: number; headersTimeoutMs: number }) =>
    startConnectProxy({
      hostnames: ['api.example.test'],
      tlsServer: createServer(),
      host: '127.0.0.1',
      port: 0,
      idleTimeoutMs: 60_000,
      log: silentLogger,
      ...o,
    })
  const open = (port: number) => {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => {})
    return { socket: s, closed: new Promise<void>((r) => s.on('close', () => r())) }
  }

  it('closes a connection that never sends its request', async () => {
    const proxy = await start({ maxConnections: 10, headersTimeoutMs: 300 })
    try {
      await open(proxy.port).closed
    } finally {
      await proxy.close()
    }
  })

  it('closes connections over its bound at once', async () => {
    const proxy = await start({ maxConnections: 1, headersTimeoutMs: 60_000 })
    try {
      // Server-side signals, not a sleep: the first is accepted, the second dropped at the bound.
      const accepted = once(proxy.server, 'connection')
      const first = open(proxy.port)
      await accepted
      const dropped = once(proxy.server, 'drop')
      const second = open(proxy.port)
      await dropped
      await second.closed
      expect(first.socket.destroyed).toBe(false)
      first.socket.destroy()
    } finally {
      await proxy.close()
    }
  })

  // Review of #26, item 5: a tunnel left the HTTP server's tracking, so close() waited for it forever.
  it('destroys a tunnel still open when the grace period ends', async () => {
    const tlsServer = createServer()
    const handed = new Promise<Socket>((r) => tlsServer.once('connection', r))
    const proxy = await startConnectProxy({
      hostnames: ['api.example.test'],
      tlsServer,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 10,
      idleTimeoutMs: 600_000,
      headersTimeoutMs: 600_000,
      log: silentLogger,
    })
    const c = open(proxy.port)
    c.socket.write('CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n')
    const head = await new Promise<string>((r) => c.socket.once('data', (b) => r(String(b))))
    expect(head).toMatch(/^HTTP\/1\.1 200 /)
    const tunnel = await handed
    await proxy.close(200)
    expect(tunnel.destroyed).toBe(true)
    await c.closed
  })
})
