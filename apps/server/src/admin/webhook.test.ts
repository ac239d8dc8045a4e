import { afterEach, describe, expect, it } from 'vitest'
import { runtime as demoRuntime, post } from '../../test/demo-runtime.ts'
import { event, type Receiver, startReceiver } from '../../test/webhook-receiver.ts'
import type { Runtime } from '../runtime.ts'

const SECRET = 'admin-api-webhook-secret-1'
const ENV_SECRET = 'env-webhook-secret-0123'

let rt: Runtime | undefined
let receiver: Receiver | undefined
afterEach(async () => {
  await rt?.close()
  await receiver?.close()
  rt = receiver = undefined
})

// No demo data: nothing here needs it, and its password hashing is most of a start.
const runtime = (env: Record<string, string> = {}) => demoRuntime({ MAILFRONT_DEMO: 'off', ...env })
const put = (r: Runtime, body: unknown) =>
  r.app.request('/_mailfront/webhook', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
const get = async (r: Runtime, path = '/_mailfront/webhook') => {
  const res = await r.app.request(path)
  const text = await res.text()
  return { status: res.status, text, body: JSON.parse(text) }
}
const submit = (r: Runtime) =>
  r.mail.submit({
    envelope: { from: 'app@example.com', to: ['dev@example.org'] },
    raw: Buffer.from('From: app@example.com\r\nSubject: Hook me\r\n\r\nHello\r\n'),
    plugin: 'smtpd',
    via: 'api',
  })

describe('the webhook in the admin API', () => {
  it('is off until set; PUT sets it (never shown back), GET shows where to, DELETE removes it', async () => {
    rt = await runtime()
    receiver = await startReceiver()
    expect((await get(rt)).body).toMatchObject({
      configured: false,
      events: [
        'message.received',
        'message.delivered',
        'message.deferred',
        'message.bounced',
        'message.released',
      ],
      headers: {
        id: 'Mailfront-Webhook-Id',
        timestamp: 'Mailfront-Webhook-Timestamp',
        signature: 'Mailfront-Webhook-Signature',
      },
      signedString: '<Mailfront-Webhook-Timestamp>.<raw body>',
    })
    const set = await put(rt, { url: receiver.url, secret: SECRET })
    expect(set.status).toBe(200)
    const setText = await set.text()
    expect(setText).not.toContain(SECRET)
    expect(JSON.parse(setText)).toMatchObject({
      configured: true,
      url: receiver.url,
      source: 'admin',
      secretSet: true,
    })
    const shown = await get(rt)
    expect(shown.text).not.toContain(SECRET)
    expect(shown.body).toMatchObject({ configured: true, url: receiver.url, source: 'admin', pending: 0 })

    const del = await rt.app.request('/_mailfront/webhook', { method: 'DELETE' })
    expect(await del.json()).toMatchObject({ removed: true, configured: false })
    expect((await get(rt)).body.configured).toBe(false)
  })

  it.each([
    ['not json', 'the body must be JSON: {"url": "https://…", "secret": "…"}'],
    [[1], 'give {"url", "secret"} only'],
    [
      { url: 'https://h.test/', secret: 'x'.repeat(16), events: ['all'] },
      'give {"url", "secret"} only (unknown: events)',
    ],
    [{ secret: 'x'.repeat(16) }, 'url is required: an http:// or https:// URL'],
    [{ url: 'file:///etc/passwd', secret: 'x'.repeat(16) }, 'url must be an http:// or https:// URL'],
    [{ url: '/relative', secret: 'x'.repeat(16) }, 'url must be an absolute http:// or https:// URL'],
    [{ url: 'https://me:pw@h.test/', secret: 'x'.repeat(16) }, 'url must not carry a user or password'],
    [{ url: 'https://h.test/' }, 'secret is required: the key each delivery is signed with'],
    [{ url: 'https://h.test/', secret: 'short' }, 'secret must be at least 16 characters'],
  ])('refuses %j with a 400 saying why', async (body, error) => {
    rt = await runtime()
    const res = await put(rt, body)
    expect([res.status, await res.json()]).toEqual([400, { error }])
    expect((await get(rt)).body.configured).toBe(false)
  })

  it("takes the environment's webhook; the admin API's wins while set, then the environment's is back", async () => {
    rt = await runtime({
      MAILFRONT_WEBHOOK_URL: 'http://127.0.0.1:9/env-hook',
      MAILFRONT_WEBHOOK_SECRET: ENV_SECRET,
    })
    const first = await get(rt)
    expect(first.text).not.toContain(ENV_SECRET)
    expect(first.body).toMatchObject({ configured: true, url: 'http://127.0.0.1:9/env-hook', source: 'env' })
    expect(first.body.envUrl).toBeUndefined()
    expect((await put(rt, { url: 'http://127.0.0.1:9/admin-hook', secret: SECRET })).status).toBe(200)
    expect((await get(rt)).body).toMatchObject({
      url: 'http://127.0.0.1:9/admin-hook',
      source: 'admin',
      envUrl: 'http://127.0.0.1:9/env-hook',
    })
    const del = await rt.app.request('/_mailfront/webhook', { method: 'DELETE' })
    expect(await del.json()).toMatchObject({
      removed: true,
      source: 'env',
      url: 'http://127.0.0.1:9/env-hook',
    })
  })

  it('lists each delivery attempt, newest first, and clears the list', async () => {
    rt = await runtime()
    receiver = await startReceiver()
    await put(rt, { url: receiver.url, secret: SECRET })
    receiver.answer(500)
    const m = await submit(rt)
    await rt.webhooks.dispatcher.settle()
    const { body } = await get(rt, '/_mailfront/webhook/deliveries')
    const id = event(receiver.received[0]!).id
    expect(body).toEqual({
      pending: 1,
      size: 500,
      deliveries: [
        {
          eventId: id,
          type: 'message.received',
          url: receiver.url,
          attempt: 1,
          status: 500,
          error: 'HTTP 500',
          durationMs: expect.any(Number),
          at: expect.any(String),
          outcome: 'retrying',
          nextRetryAt: expect.any(String),
        },
      ],
    })
    expect(event(receiver.received[0]!).data.message).toMatchObject({ id: m.id, subject: 'Hook me' })
    const del = await rt.app.request('/_mailfront/webhook/deliveries', { method: 'DELETE' })
    expect(await del.json()).toEqual({ cleared: true })
    expect((await get(rt, '/_mailfront/webhook/deliveries')).body.deliveries).toEqual([])
  })

  it("a reset removes the admin API's webhook (it lived in the store) and clears the log", async () => {
    rt = await runtime()
    receiver = await startReceiver()
    await put(rt, { url: receiver.url, secret: SECRET })
    await submit(rt)
    await rt.webhooks.dispatcher.settle()
    expect((await get(rt, '/_mailfront/webhook/deliveries')).body.deliveries).toHaveLength(1)
    expect((await post(rt, '/_mailfront/reset')).status).toBe(200)
    expect((await get(rt)).body.configured).toBe(false)
    expect((await get(rt, '/_mailfront/webhook/deliveries')).body.deliveries).toEqual([])
    await submit(rt)
    await rt.webhooks.dispatcher.settle()
    expect(receiver.received).toHaveLength(1)
  })

  it('is behind the admin rule: with a token, nothing without it', async () => {
    rt = await runtime({ MAILFRONT_ADMIN_TOKEN: 't'.repeat(24) })
    for (const [method, path] of [
      ['GET', '/_mailfront/webhook'],
      ['PUT', '/_mailfront/webhook'],
      ['DELETE', '/_mailfront/webhook'],
      ['GET', '/_mailfront/webhook/deliveries'],
    ] as const) {
      const res = await rt.app.request(path, {
        method,
        ...(method === 'PUT'
          ? {
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ url: 'http://127.0.0.1:9/', secret: SECRET }),
            }
          : {}),
      })
      expect([method, path, res.status]).toEqual([method, path, 401])
    }
    const ok = await rt.app.request('/_mailfront/webhook', {
      headers: { Authorization: `Bearer ${'t'.repeat(24)}` },
    })
    expect(ok.status).toBe(200)
  })
})
