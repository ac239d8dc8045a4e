import { encodeBasic, silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { createRuntime, loadStartupFixtures, type Runtime } from '../runtime.ts'

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
      body: JSON.stringify({ tmail: { users: [{ Login: 'sse@example.net', Passwd: 'sse-password' }] } }),
    })
    expect(await next()).toMatchObject({ event: 'fixtures', data: { upserted: { tmail: 1 } } })

    await rt.app.request('/_mailfront/reset', { method: 'POST' })
    expect(await next()).toMatchObject({ event: 'reset' })
    abort.abort()
    await reader.cancel().catch(() => undefined)
  })
})
