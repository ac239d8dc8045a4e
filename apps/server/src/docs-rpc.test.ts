import SwaggerParser from '@apidevtools/swagger-parser'
import { silentLogger } from '@mailfront/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime, type Runtime } from './runtime.ts'

describe('JSON-RPC methods in /docs', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = await createRuntime(
      loadConfig({ MAILFRONT_DATABASE_URL: 'memory:', MAILFRONT_SECRET: 'x'.repeat(40) }),
      silentLogger,
    )
  })
  afterAll(() => rt.close())

  it('every OpenRPC method is an operation with its params, result, errors and level; the document validates', async () => {
    const rpc = (await (await rt.app.request('/openrpc.json')).json()) as { methods: { name: string }[] }
    const res = await rt.app.request('/openapi/mailboxorg-methods.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as Record<string, any>
    const ops = Object.entries(doc.paths as Record<string, { post: Record<string, any> }>)
    expect(ops.map(([p]) => p)).toEqual(rpc.methods.map((m) => `/v1/#${m.name}`))
    expect(ops.length).toBe(rpc.methods.length)
    expect(ops.length).toBeGreaterThanOrEqual(42)
    const add = doc.paths['/v1/#account.add'].post
    expect(add.summary).toMatch(/^account\.add: /)
    expect(add.tags).toEqual(['account'])
    expect(add.description).toContain('**access**: reseller')
    expect(add.description).toContain('| 1002 | Account already exists |')
    const body = add.requestBody.content['application/json']
    expect(body.schema.properties.method).toEqual({ const: 'account.add' })
    expect(body.schema.properties.params.required).toEqual(['account', 'password', 'plan'])
    expect(body.schema.properties.params.properties.plan.enum).toContain('profi')
    expect(body.example).toMatchObject({ jsonrpc: '2.0', method: 'account.add', params: { plan: 'basic' } })
    expect(add.security).toEqual([{}, { mailboxorgSession: [] }])
    expect(doc.components.securitySchemes.mailboxorgSession).toMatchObject({
      in: 'header',
      name: 'HPLS-AUTH',
    })
    await SwaggerParser.validate(structuredClone(doc) as never)
  })

  it('Swagger UI offers the REST document and the JSON-RPC methods', async () => {
    const js = await (await rt.app.request('/docs/init.js')).text()
    expect(js).toContain('{"url":"/openapi.json","name":"REST APIs (merged)"}')
    expect(js).toContain(
      '{"url":"/openapi/mailboxorg-methods.json","name":"mailbox.org Business API (JSON-RPC 2.0): JSON-RPC methods"}',
    )
    expect((await rt.app.request('/openapi/tmail-methods.json')).status).toBe(404)
    expect((await rt.app.request('/openapi/nope-methods.json')).status).toBe(404)
  })
})
