import SwaggerParser from '@apidevtools/swagger-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runtime } from '../../test/demo-runtime.ts'
import type { Runtime } from '../runtime.ts'

let rt: Runtime
beforeAll(async () => {
  rt = await runtime()
})
afterAll(() => rt.close())

describe('the admin API describes itself', () => {
  it('answers /_mailfront/ with an index of its routes and where its document is', async () => {
    for (const p of ['/_mailfront', '/_mailfront/']) {
      const res = await rt.app.request(p)
      expect([p, res.status]).toEqual([p, 200])
      const index = await res.json()
      expect(index).toMatchObject({
        name: 'mailfront admin API',
        openapi: '/openapi/_mailfront.json',
        docs: '/docs',
      })
      expect(index.routes).toContainEqual({
        method: 'GET',
        path: '/_mailfront/messages/{id}/attachments/{n}',
        summary: "Attachment n's decoded bytes, as a sandboxed download",
      })
      expect(index.routes).toContainEqual(
        expect.objectContaining({ method: 'POST', path: '/_mailfront/reset' }),
      )
    }
  })

  it('publishes its own OpenAPI 3.1 document, valid, naming every admin route, apart from the providers', async () => {
    const doc = await (await rt.app.request('/openapi/_mailfront.json')).json()
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy()
    expect(doc.servers).toEqual([{ url: '/_mailfront' }])
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/',
      '/clock',
      '/demo',
      '/events',
      '/faults',
      '/fixtures',
      '/messages',
      '/messages/{id}',
      '/messages/{id}/attachments/{n}',
      '/messages/{id}/raw',
      '/messages/{id}/release',
      '/requests',
      '/reset',
      '/webhook',
      '/webhook/deliveries',
    ])
    expect(doc.paths['/messages'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'q',
      'from',
      'to',
      'subject',
      'plugin',
      'limit',
      'offset',
      'wait',
    ])
    // Every route it names answers (not the 404 of an unknown admin path).
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>))
      for (const method of Object.keys(ops)) {
        if (method !== 'get' || p === '/events') continue
        const res = await rt.app.request(`/_mailfront${p.replace('{id}', 'nope').replace('{n}', '0')}`)
        expect([p, (await res.clone().text()).includes('"not found"')]).toEqual([p, false])
      }
    // The providers' merged document stays theirs.
    const merged = await (await rt.app.request('/openapi.json')).json()
    expect(Object.keys(merged.paths).filter((p) => p.includes('_mailfront'))).toEqual([])
  })

  it('documents every admin route the app answers, and answers every route it documents', async () => {
    const doc = await (await rt.app.request('/openapi/_mailfront.json')).json()
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort()
    // The app's own route table under /_mailfront, in the document's spelling (`:id{…}` is `{id}`);
    // the prefix's middleware (method ALL) is no route, and `/_mailfront/` is the index's alias.
    const served = rt.app.routes
      .filter((r) => r.method !== 'ALL' && /^\/_mailfront(\/|$)/.test(r.path))
      .map((r) => {
        const p = r.path.slice('/_mailfront'.length).replaceAll(/:(\w+)(\{[^/]*\})?/g, '{$1}')
        return `${r.method} ${p || '/'}`
      })
    expect([...new Set(served)].sort()).toEqual(documented)
    expect(documented.length).toBeGreaterThan(15)
  })

  it('is a definition of its own in the /docs selector', async () => {
    const js = await (await rt.app.request('/docs/init.js')).text()
    expect(js).toContain('{"url":"/openapi/_mailfront.json","name":"mailfront admin API (/_mailfront)"}')
  })
})
