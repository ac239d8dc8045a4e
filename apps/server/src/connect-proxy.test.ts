import { createServer } from 'node:http'
import { connect } from 'node:net'
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
      const first = open(proxy.port)
      await new Promise((r) => first.socket.once('connect', r))
      await new Promise((r) => setTimeout(r, 50))
      await open(proxy.port).closed
      expect(first.socket.destroyed).toBe(false)
      first.socket.destroy()
    } finally {
      await proxy.close()
    }
  })
})
