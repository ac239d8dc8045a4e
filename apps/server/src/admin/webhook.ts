import { WEBHOOK_EVENT_TYPES } from '../webhooks/dispatcher.ts'
import { webhookSecretProblem, webhookUrlProblem } from '../webhooks/settings.ts'
import { WEBHOOK_HEADERS } from '../webhooks/signature.ts'
import type { Webhooks } from '../webhooks/webhooks.ts'
import type { AdminRoutes } from './app.ts'

/** What GET /webhook shows: never the secret, only that one is set. */
async function view(w: Webhooks) {
  const t = await w.settings.current()
  const envUrl = w.settings.envUrl()
  return {
    configured: !!t,
    ...(t ? { url: t.url, source: t.source, secretSet: true } : {}),
    // The environment's webhook, in force again after a DELETE of the admin API's one.
    ...(envUrl && t?.source !== 'env' ? { envUrl } : {}),
    events: WEBHOOK_EVENT_TYPES,
    headers: WEBHOOK_HEADERS,
    signedString: '<Mailfront-Webhook-Timestamp>.<raw body>',
    pending: w.dispatcher.pending(),
  }
}

/**
 * The outbound webhook: GET /webhook (where to, from where, never the secret), PUT /webhook
 * `{url, secret}` (kept in the store: every instance on it sends there), DELETE /webhook (back to the
 * environment's, if any), GET /webhook/deliveries (the log of attempts, newest first), DELETE it.
 */
export function webhookRoutes(
  w: Webhooks,
  events?: { emit(type: string, data?: unknown): void },
): AdminRoutes {
  return (admin) => {
    admin.get('/webhook', async (c) => c.json(await view(w)))
    admin.put('/webhook', async (c) => {
      let body: unknown
      try {
        body = await c.req.json()
      } catch {
        return c.json({ error: 'the body must be JSON: {"url": "https://…", "secret": "…"}' }, 400)
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        return c.json({ error: 'give {"url", "secret"} only' }, 400)
      const { url, secret, ...rest } = body as Record<string, unknown>
      const unknown = Object.keys(rest)
      if (unknown.length)
        return c.json(
          {
            error: `give {"url", "secret"} only${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
          },
          400,
        )
      if (typeof url !== 'string')
        return c.json({ error: 'url is required: an http:// or https:// URL' }, 400)
      const urlProblem = webhookUrlProblem(url)
      if (urlProblem) return c.json({ error: `url ${urlProblem}` }, 400)
      if (typeof secret !== 'string')
        return c.json({ error: 'secret is required: the key each delivery is signed with' }, 400)
      const secretProblem = webhookSecretProblem(secret)
      if (secretProblem) return c.json({ error: `secret ${secretProblem}` }, 400)
      await w.settings.set(url, secret, Date.now())
      const out = await view(w)
      events?.emit('webhook', { configured: true })
      return c.json(out)
    })
    admin.delete('/webhook', async (c) => {
      const removed = await w.settings.remove()
      events?.emit('webhook', { configured: false })
      return c.json({ removed, ...(await view(w)) })
    })
    admin.get('/webhook/deliveries', (c) =>
      c.json({ pending: w.dispatcher.pending(), size: w.deliveries.size, deliveries: w.deliveries.list() }),
    )
    admin.delete('/webhook/deliveries', (c) => {
      w.deliveries.clear()
      return c.json({ cleared: true })
    })
  }
}
