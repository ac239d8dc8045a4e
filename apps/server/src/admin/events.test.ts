import { readFileSync } from 'node:fs'
import { encodeBasic, silentLogger } from '@mailfront/core'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtime } from '../../test/demo-runtime.ts'
import { loadConfig } from '../config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from '../runtime.ts'
import { createAdminApp } from './app.ts'
import { AdminEvents, eventRoutes, MAX_QUEUED_EVENTS, MAX_STREAMS_PER_ADDRESS } from './events.ts'

describe('GET /_mailfront/events (server-sent events for the live UI)', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: 'memory:',
        MAILFRONT_SECRET: 'x'.repeat(40),
        MAILFRONT_DEMO: 'on',
      }),
      silentLogger,
      { inProcessIsLocal: true },
    )
    await loadStartupFixtures(rt)
  })
  afterAll(() => rt.close())

  it('one event per change: a request, a fault, captured mail, fixtures, a reset', async () => {
    const abort = new AbortController()
    const res = await rt.app.request('/_mailfront/events', { signal: abort.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    const next = async (): Promise<{ event: string; data: Record<string, unknown> }> => {
      for (;;) {
        const i = buf.indexOf('\n\n')
        if (i >= 0) {
          const block = buf.slice(0, i)
          buf = buf.slice(i + 2)
          if (block.startsWith(':')) continue
          const event = /^event: (.*)$/m.exec(block)![1]!
          return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) }
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buf += value
      }
    }
    expect((await next()).event).toBe('hello')

    await rt.app.request('/users/toorop@tmail.io', {
      headers: { Authorization: encodeBasic('admin', 'admin') },
    })
    expect(await next()).toMatchObject({ event: 'request', data: { method: 'GET', status: 200 } })

    await rt.app.request('/_mailfront/faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ plugin: 'tmail', status: 500 }),
    })
    expect(await next()).toMatchObject({ event: 'faults', data: { added: 1 } })
    await rt.app.request('/_mailfront/faults', { method: 'DELETE' })
    expect(await next()).toMatchObject({ event: 'faults', data: { cleared: true } })

    const mail = await rt.mail.submit({
      envelope: { from: 'a@example.org', to: ['b@example.org'] },
      raw: new TextEncoder().encode('Subject: hi\r\n\r\nhello\r\n'),
      plugin: 'tmail',
      via: 'api',
    })
    expect(await next()).toMatchObject({ event: 'mail', data: { type: 'submitted', messageId: mail.id } })

    await rt.app.request('/_mailfront/fixtures', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tmail: { users: [{ Login: 'sse@example.net', Passwd: 'sse-password' }] } }),
    })
    expect(await next()).toMatchObject({ event: 'fixtures', data: { upserted: { tmail: 1 } } })

    await rt.app.request('/_mailfront/reset', { method: 'POST' })
    expect(await next()).toMatchObject({ event: 'reset' })
    abort.abort()
    await reader.cancel().catch(() => undefined)
  })
})

// Issue 24, item 9: one address held 256 streams open, none ever ended.
describe('event streams are bounded', () => {
  function app(lifetimeMs?: number) {
    const root = new Hono()
    root.use('*', async (c, next) => {
      ;(c.set as (k: string, v: unknown) => void)('mailfront', { ip: c.req.header('x-test-ip') ?? '' })
      await next()
    })
    const events = new AdminEvents()
    root.route(
      '/_mailfront',
      createAdminApp({
        inProcessIsLocal: true,
        groups: [eventRoutes(events, lifetimeMs ? { lifetimeMs } : {})],
      }),
    )
    return root
  }
  const open = async (a: Hono, ip: string) => {
    const abort = new AbortController()
    const res = await a.request('/_mailfront/events', { headers: { 'x-test-ip': ip }, signal: abort.signal })
    if (res.status === 200) {
      const reader = res.body!.getReader()
      await reader.read() // the hello
      const close = () => {
        abort.abort()
        return reader.cancel().catch(() => undefined)
      }
      return { res, close, reader }
    }
    return { res, close: () => undefined, reader: undefined }
  }

  it(`at most ${MAX_STREAMS_PER_ADDRESS} per client address: 429 with Retry-After above, others unaffected`, async () => {
    const a = app()
    const held = []
    for (let i = 0; i < MAX_STREAMS_PER_ADDRESS; i++) held.push(await open(a, '198.51.100.1'))
    expect(held.map((h) => h.res.status)).toEqual(Array(MAX_STREAMS_PER_ADDRESS).fill(200))
    const over = await open(a, '198.51.100.1')
    expect([over.res.status, over.res.headers.get('retry-after'), await over.res.json()]).toEqual([
      429,
      '5',
      { error: `at most ${MAX_STREAMS_PER_ADDRESS} event streams per client address` },
    ])
    const other = await open(a, '198.51.100.2')
    expect(other.res.status).toBe(200)
    // A closed stream frees its place.
    await held.pop()!.close()
    let again = await open(a, '198.51.100.1')
    for (let i = 0; i < 100 && again.res.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 20))
      again = await open(a, '198.51.100.1')
    }
    expect(again.res.status).toBe(200)
    for (const h of [...held, other, again]) await h.close()
  })

  it('each stream ends after its lifetime (the client reconnects)', async () => {
    const s = await open(app(300), '198.51.100.3')
    expect(s.res.status).toBe(200)
    for (;;) if ((await s.reader!.read()).done) break
  })

  it(`a client that stops reading: at most ${MAX_QUEUED_EVENTS} events held, then event: overflow and the end`, async () => {
    const events = new AdminEvents()
    const a = new Hono().route(
      '/_mailfront',
      createAdminApp({ inProcessIsLocal: true, groups: [eventRoutes(events)] }),
    )
    const abort = new AbortController()
    const res = await a.request('/_mailfront/events', { signal: abort.signal })
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    const until = async (text: string) => {
      while (!buf.includes(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`ended before ${text}`)
        buf += value
      }
    }
    await until('event: hello')
    // Not reading: exactly the bound is held and delivered once the client reads again.
    for (let i = 0; i < MAX_QUEUED_EVENTS; i++) events.emit('request', { i })
    await until(`data: {"i":${MAX_QUEUED_EVENTS - 1}}\n\n`)
    expect(buf.match(/event: request/g)).toHaveLength(MAX_QUEUED_EVENTS)
    // One more than the bound while stalled: the held events are dropped, overflow, end of stream.
    buf = ''
    for (let i = 0; i <= MAX_QUEUED_EVENTS; i++) events.emit('request', { i })
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buf += value
    }
    expect(buf.replace(/^: keep-alive\n\n/gm, '')).toBe(
      `event: overflow\ndata: {"maxQueued":${MAX_QUEUED_EVENTS}}\n\n`,
    )
    abort.abort()
  })
})

describe('GET /_mailfront/events in the OpenAPI document', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await runtime()
  })
  afterAll(() => rt.close())
  it('the OpenAPI summary names every event the README lists', async () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
    const line = readme.split('\n').find((l) => l.startsWith('| `GET /_mailfront/events`'))!
    const listed = [...line.split('|')[2]!.matchAll(/`([a-z]+)`/g)].map((m) => m[1]!)
    expect(listed).toEqual(['request', 'mail', 'reset', 'fixtures', 'faults', 'clock', 'webhook', 'overflow'])
    const doc = (await (await rt.app.request('/openapi/_mailfront.json')).json()) as {
      paths: Record<string, { get: { summary: string } }>
    }
    const summary = doc.paths['/events']!.get.summary
    for (const e of listed) expect(summary, e).toMatch(new RegExp(`\\b${e}\\b`))
  })
})
