import { parseJson, stringifyJson, tryDemo, z } from '@mailfront/core'
import type { Context } from 'hono'
import { exportFixtures, FixtureError, loadFixtures } from '../fixtures.ts'
import { demoPresent } from '../runtime/fixtures.ts'
import type { Runtime } from '../runtime.ts'
import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { AnyObject, error, json, jsonBody } from './schemas.ts'

const tags = ['state']
/** Rows per model. */
const Counts = z.record(z.string(), z.number().int())

/** A fixtures document: one key per plugin (parsed with 64-bit integers exact). */
async function fixturesBody(c: Context): Promise<Record<string, unknown>> {
  const data = await jsonBody(c, { parse: parseJson, invalid: (e) => `body: not valid JSON: ${e.message}` })
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new AdminError(400, 'body: the top level must be an object with one key per plugin')
  return data as Record<string, unknown>
}

/**
 * The store at run time: POST /reset (empty it, reload the configured fixtures), POST /fixtures (load
 * a fixtures document, validated as by the CLI), GET /fixtures (export, also the UI's state panel).
 */
export function stateRoutes(rt: () => Runtime): AdminRoutes {
  return (admin) => {
    const route = adminRoute(admin)
    route(
      {
        method: 'post',
        path: '/reset',
        tags,
        summary: 'Empty the store and load the configured fixtures again; clear the request log and faults',
        responses: {
          200: json(z.object({ reset: z.literal(true), loaded: Counts, ms: z.number().int() })),
        },
      },
      async (c) => {
        const t0 = performance.now()
        const loaded = await rt().reset()
        return c.json({ reset: true, loaded, ms: Math.round(performance.now() - t0) })
      },
    )
    // The demo's logins and try lines, while the store holds the demo data (the state panel shows them).
    route(
      {
        method: 'get',
        path: '/demo',
        tags,
        summary: "The demo's logins and example calls per plugin, while the store holds the demo data",
        responses: {
          200: json(
            z.object({
              present: z.boolean(),
              plugins: z.array(
                z.object({
                  plugin: z.string(),
                  try: z.array(z.string()),
                  smtpLogin: z.object({ user: z.string(), pass: z.string(), from: z.string() }).optional(),
                }),
              ),
            }),
          ),
        },
      },
      async (c) => {
        const r = rt()
        if (!(await demoPresent(r.storage))) return c.json({ present: false, plugins: [] })
        const origin = new URL(c.req.url).origin
        return c.json({
          present: true,
          plugins: r.plugins.flatMap((p) =>
            p.data?.demo
              ? [
                  {
                    plugin: p.id,
                    try: tryDemo(p.data.demo, origin, r.config.tls.mode === 'self-signed'),
                    ...(p.data.demo.smtpLogin ? { smtpLogin: p.data.demo.smtpLogin } : {}),
                  },
                ]
              : [],
          ),
        })
      },
    )
    route(
      {
        method: 'get',
        path: '/fixtures',
        tags,
        summary: 'The store as a fixtures document',
        responses: { 200: json(AnyObject, 'one key per plugin') },
      },
      async (c) => {
        const r = rt()
        const data = await exportFixtures(r.plugins, r.contexts)
        // 64-bit integers stay exact (the CLI's export, byte for byte).
        return c.body(stringifyJson(data, 2), 200, { 'Content-Type': 'application/json; charset=UTF-8' })
      },
    )
    route(
      {
        method: 'post',
        path: '/fixtures',
        tags,
        summary: 'Load a fixtures document (upserts)',
        request: { body: { required: true, content: { 'application/json': { schema: AnyObject } } } },
        decode: { body: fixturesBody },
        responses: {
          200: json(z.object({ upserted: Counts })),
          400: error('invalid document (the JSON path named)'),
        },
      },
      async (c, { body }) => {
        const r = rt()
        try {
          const upserted = await loadFixtures('body', body, r.plugins, r.contexts)
          r.events.emit('fixtures', { upserted })
          return c.json({ upserted })
        } catch (e) {
          if (e instanceof FixtureError) return c.json({ error: e.message }, 400)
          throw e
        }
      },
    )
  }
}
