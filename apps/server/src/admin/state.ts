import { parseJson, stringifyJson, tryDemo } from '@mailfront/core'
import { exportFixtures, FixtureError, loadFixtures } from '../fixtures.ts'
import { demoPresent, type Runtime } from '../runtime.ts'
import type { AdminRoutes } from './app.ts'

/**
 * The store at run time: POST /reset (empty it, reload the configured fixtures), POST /fixtures (load
 * a fixtures document, validated as by the CLI), GET /fixtures (export, also the UI's state panel).
 */
export function stateRoutes(rt: () => Runtime): AdminRoutes {
  return (admin) => {
    admin.post('/reset', async (c) => {
      const t0 = performance.now()
      const loaded = await rt().reset()
      return c.json({ reset: true, loaded, ms: Math.round(performance.now() - t0) })
    })
    // The demo's logins and try lines, while the store holds the demo data (the state panel shows them).
    admin.get('/demo', async (c) => {
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
    })
    admin.get('/fixtures', async (c) => {
      const r = rt()
      const data = await exportFixtures(r.plugins, r.contexts)
      // 64-bit integers stay exact (the CLI's export, byte for byte).
      return c.body(stringifyJson(data, 2), 200, { 'Content-Type': 'application/json; charset=UTF-8' })
    })
    admin.post('/fixtures', async (c) => {
      const r = rt()
      let data: unknown
      try {
        data = parseJson(await c.req.text())
      } catch (e) {
        return c.json({ error: `body: not valid JSON: ${(e as Error).message}` }, 400)
      }
      if (!data || typeof data !== 'object' || Array.isArray(data))
        return c.json({ error: 'body: the top level must be an object with one key per plugin' }, 400)
      try {
        const upserted = await loadFixtures('body', data as Record<string, unknown>, r.plugins, r.contexts)
        r.events.emit('fixtures', { upserted })
        return c.json({ upserted })
      } catch (e) {
        if (e instanceof FixtureError) return c.json({ error: e.message }, 400)
        throw e
      }
    })
  }
}
