import { encodeBasic, type Logger } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { clientAddress, compileTrust, type TrustProxy } from './client-address.ts'
import { loadConfig } from './config.ts'
import { createRuntime, loadStartupFixtures } from './runtime.ts'

const addr = (
  trust: TrustProxy,
  peer: string | undefined,
  headers: Record<string, string> = {},
  encrypted = false,
) =>
  clientAddress(
    peer === undefined ? undefined : { remoteAddress: peer, encrypted },
    (n) => headers[n],
    compileTrust(trust),
  )

describe('client address behind proxies', () => {
  it('ignores X-Forwarded-* when no proxy is trusted', () => {
    expect(
      addr(false, '203.0.113.9', { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' }),
    ).toEqual({
      ip: '203.0.113.9',
      secure: false,
    })
  })
  it('takes the entry the trusted proxy appended, not the one the client sent (1 hop)', () => {
    // The client sent "10.9.0.7, 127.0.0.1"; the proxy appended the address it saw.
    const h = { 'x-forwarded-for': '10.9.0.7, 127.0.0.1, 198.51.100.20', 'x-forwarded-proto': 'http, https' }
    expect(addr(1, '127.0.0.1', h)).toEqual({ ip: '198.51.100.20', secure: true })
  })
  it('walks as many hops as configured', () => {
    const h = {
      'x-forwarded-for': 'spoofed, 198.51.100.20, 10.0.0.2',
      'x-forwarded-proto': 'http, https, http',
    }
    // CDN (appended 198.51.100.20, saw https) → LB (appended 10.0.0.2, saw http) → mailfront
    expect(addr(2, '10.0.0.3', h)).toEqual({ ip: '198.51.100.20', secure: true })
    expect(addr(1, '10.0.0.3', h)).toEqual({ ip: '10.0.0.2', secure: false })
  })
  it('stops at the first untrusted address in a list of proxies', () => {
    const h = { 'x-forwarded-for': '1.1.1.1, 198.51.100.20, 10.0.0.2', 'x-forwarded-proto': 'https' }
    expect(addr(['10.0.0.0/8'], '10.0.0.3', h)).toEqual({ ip: '198.51.100.20', secure: true })
    expect(addr(['10.0.0.0/8', '198.51.100.20'], '10.0.0.3', h).ip).toBe('1.1.1.1')
  })
  it('believes nothing from a peer outside the list', () => {
    const h = { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' }
    expect(addr(['10.0.0.0/8', 'loopback'], '203.0.113.9', h)).toEqual({ ip: '203.0.113.9', secure: false })
    expect(addr(['loopback'], '::ffff:127.0.0.1', h)).toEqual({ ip: '1.1.1.1', secure: true })
  })
  it('keeps the socket scheme when the trusted proxy sends no X-Forwarded-Proto', () => {
    expect(addr(1, '127.0.0.1', { 'x-forwarded-for': '1.1.1.1' }, true)).toEqual({
      ip: '1.1.1.1',
      secure: true,
    })
    expect(addr(1, '127.0.0.1', { 'x-forwarded-proto': 'http' }, true)).toEqual({
      ip: '127.0.0.1',
      secure: false,
    })
  })
  it('uses the one entry of a proxy that overwrites X-Forwarded-Proto instead of appending', () => {
    expect(addr(3, '10.0.0.1', { 'x-forwarded-for': 'a, b, c', 'x-forwarded-proto': 'https' }).secure).toBe(
      true,
    )
  })
  it('without a socket (app.request) trusts hop counts and no address list', () => {
    const h = { 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-forwarded-proto': 'http' }
    expect(addr(1, undefined, h)).toEqual({ ip: '2.2.2.2', secure: false })
    expect(addr(['loopback'], undefined, h)).toEqual({ ip: '', secure: true })
    expect(addr(false, undefined, h)).toEqual({ ip: '', secure: true })
  })
  it('refuses a bad proxy address', () => {
    expect(() => compileTrust(['10.0.0.0/40'])).toThrow(/invalid/)
  })
})

describe('client address through the composed app', () => {
  it('throttles spoofed X-Forwarded-For entries as the one address the proxy saw, and logs that', async () => {
    const lines: Record<string, unknown>[] = []
    const log: Logger = {
      debug() {},
      info(o) {
        if (typeof o === 'object') lines.push(o as Record<string, unknown>)
      },
      warn() {},
      error() {},
    }
    const config = loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'on',
      MAILFRONT_TRUST_PROXY: 'true',
      MAILFRONT_PLUGINS: 'tmail',
    })
    const rt = await createRuntime(config, log)
    await loadStartupFixtures(rt)
    try {
      const statuses: number[] = []
      for (let i = 0; i < 45; i++) {
        const res = await rt.app.request('/users', {
          headers: {
            Authorization: encodeBasic('admin', `wrong-${i}`),
            'X-Forwarded-For': `10.9.0.${i}, 127.0.0.1`,
          },
        })
        statuses.push(res.status)
      }
      // The client-chosen leftmost entries changed every time; the address the proxy appended did not.
      expect(statuses.filter((s) => s === 401).length).toBeLessThan(45)
      const ips = new Set(lines.filter((l) => l.method).map((l) => l.ip))
      expect([...ips]).toEqual(['127.0.0.1'])
    } finally {
      await rt.close()
    }
  })
})
