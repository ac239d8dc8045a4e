import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createAdminApp } from './app.ts'

function app(token: string | undefined, ip: string) {
  const root = new Hono()
  root.route(
    '/_mailfront',
    createAdminApp({
      token,
      clientAddress: () => ip,
      groups: [(a) => a.get('/ping', (c) => c.json({ ok: true }))],
    }),
  )
  return root
}

describe('admin access', () => {
  it('is open to loopback and in-process clients', async () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', ''])
      expect((await app(undefined, ip).request('/_mailfront/ping')).status).toBe(200)
  })
  it('does not exist for other clients when no token is set', async () => {
    const res = await app(undefined, '192.0.2.7').request('/_mailfront/ping')
    expect(res.status).toBe(404)
  })
  it('needs the bearer token from other clients when one is set', async () => {
    const a = app('s3cret-admin-token', '192.0.2.7')
    const none = await a.request('/_mailfront/ping')
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="mailfront admin"')
    const wrong = await a.request('/_mailfront/ping', { headers: { Authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    const ok = await a.request('/_mailfront/ping', {
      headers: { Authorization: 'Bearer s3cret-admin-token' },
    })
    expect(ok.status).toBe(200)
  })
})
