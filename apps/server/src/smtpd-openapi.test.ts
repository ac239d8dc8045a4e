import SwaggerParser from '@apidevtools/swagger-parser'
import { silentLogger } from '@mailfront/core'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { createRuntime } from './runtime.ts'

describe("SMTPD's OpenAPI document", () => {
  it('documents every sending route (both profile families, send, lookups, templates, forms, analysis, tracking) and validates', async () => {
    const rt = await createRuntime(
      loadConfig({
        MAILFRONT_DATABASE_URL: 'memory:',
        MAILFRONT_SECRET: 'x'.repeat(40),
        MAILFRONT_DEMO: 'off',
      }),
      silentLogger,
    )
    const doc = await (await rt.app.request('/openapi/smtpd.json')).json()
    await rt.close()
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, m]) =>
      Object.keys(m).map((method) => `${method.toUpperCase()} ${path}`),
    )
    for (const base of ['/api/v1/profile/email', '/api/v1/email/profile'])
      expect(ops).toEqual(
        expect.arrayContaining([
          `POST ${base}`,
          `GET ${base}`,
          `GET ${base}/{id}`,
          `GET ${base}/{id}/setup`,
          `PUT ${base}/{id}/verify`,
        ]),
      )
    expect(ops).toEqual(
      expect.arrayContaining([
        'POST /api/v1/email/send',
        'GET /api/v1/email/send',
        'GET /api/v1/email/send/search',
        'GET /api/v1/email/send/{id}',
        'GET /api/v1/email/send/{id}/events',
        'GET /api/v1/email/send/{id}/content/html',
        'GET /api/v1/email/send/{id}/content/text',
        'POST /api/v1/email/template',
        'POST /api/v1/email/template/{id}',
        'POST /api/v1/email/template/{id}/latest',
        'POST /api/v1/email/form',
        'GET /api/v1/email/form/{id}',
        'PUT /api/v1/email/form/{id}/disable',
        'GET /f/{form_key}',
        'POST /f/{form_key}',
        'GET /t/o/{token}',
        'GET /t/c/{token}',
        'GET /api/v1/analysis/summary',
        'GET /api/v1/analysis/engagement/delivery/domain/summary',
        'GET /api/v1/analysis/engagement/device/summary',
        'GET /api/v1/analysis/bounce/summary',
        'GET /api/v1/analysis/bounce/domain/summary',
      ]),
    )
    expect(
      doc.paths['/api/v1/email/send'].post.responses['202'].content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/SmtpdSendObject')
    expect(doc.paths['/api/v1/email/send'].post.security).toEqual([
      { smtpdBearer: [] },
      { smtpdKeySecret: [] },
    ])
    await expect(SwaggerParser.validate(doc)).resolves.toBeTruthy()
  })
})
