import { z } from '@mailfront/core'
import type { Context } from 'hono'
import { WEBHOOK_EVENT_TYPES } from '../webhooks/dispatcher.ts'
import { WEBHOOK_SECRET_MIN, webhookSecretProblem, webhookUrlProblem } from '../webhooks/settings.ts'
import { WEBHOOK_HEADERS } from '../webhooks/signature.ts'
import type { Webhooks } from '../webhooks/webhooks.ts'
import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { error, json, jsonBody } from './schemas.ts'

const WebhookInput = z
  .object({
    url: z.string().describe('http:// or https://, no user or password in it'),
    secret: z
      .string()
      .min(WEBHOOK_SECRET_MIN)
      .describe('the key each delivery is signed with; never shown back'),
  })
  .strict()

const WebhookView = z
  .object({
    configured: z.boolean(),
    url: z.string().optional(),
    source: z.enum(['env', 'admin']).optional(),
    secretSet: z.literal(true).optional(),
    envUrl: z.string().optional().describe("MAILFRONT_WEBHOOK_URL, while the admin API's webhook wins"),
    events: z.array(z.string()),
    headers: z.record(z.string(), z.string()),
    signedString: z.string(),
    pending: z.number().int().describe('deliveries waiting for an attempt (first or retry)'),
  })
  .openapi('Webhook')

const WebhookDelivery = z
  .object({
    eventId: z.string(),
    type: z.string(),
    url: z.string(),
    attempt: z.number().int().describe('1 for the first'),
    status: z.number().int().optional().describe("the receiver's HTTP status, when it answered"),
    error: z.string().optional(),
    durationMs: z.number().int(),
    at: z.string().describe("ISO time by the server's clock"),
    outcome: z.enum(['delivered', 'retrying', 'failed', 'dropped']),
    nextRetryAt: z.string().optional(),
  })
  .openapi('WebhookDelivery')

/** What GET /webhook shows: never the secret, only that one is set. */
async function view(w: Webhooks): Promise<z.infer<typeof WebhookView>> {
  const t = await w.settings.current()
  const envUrl = w.settings.envUrl()
  return {
    configured: !!t,
    ...(t ? { url: t.url, source: t.source, secretSet: true as const } : {}),
    // The environment's webhook, in force again after a DELETE of the admin API's one.
    ...(envUrl && t?.source !== 'env' ? { envUrl } : {}),
    events: [...WEBHOOK_EVENT_TYPES],
    headers: { ...WEBHOOK_HEADERS },
    signedString: '<Mailfront-Webhook-Timestamp>.<raw body>',
    pending: await w.dispatcher.pending(),
  }
}

/** PUT /webhook's body, checked as the environment's variables are; a 400 says what is wrong. */
async function webhookBody(c: Context): Promise<{ url: string; secret: string }> {
  const body = await jsonBody(c, {
    invalid: () => 'the body must be JSON: {"url": "https://…", "secret": "…"}',
  })
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new AdminError(400, 'give {"url", "secret"} only')
  const { url, secret, ...rest } = body as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length)
    throw new AdminError(400, `give {"url", "secret"} only (unknown: ${unknown.join(', ')})`)
  if (typeof url !== 'string') throw new AdminError(400, 'url is required: an http:// or https:// URL')
  const urlProblem = webhookUrlProblem(url)
  if (urlProblem) throw new AdminError(400, `url ${urlProblem}`)
  if (typeof secret !== 'string')
    throw new AdminError(400, 'secret is required: the key each delivery is signed with')
  const secretProblem = webhookSecretProblem(secret)
  if (secretProblem) throw new AdminError(400, `secret ${secretProblem}`)
  return { url, secret }
}

const tags = ['webhooks']

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
    const route = adminRoute(admin)
    route(
      {
        method: 'get',
        path: '/webhook',
        tags,
        summary: 'The webhook in force: url, source (env or admin), never the secret',
        responses: { 200: json(WebhookView) },
      },
      async (c) => c.json(await view(w)),
    )
    route(
      {
        method: 'put',
        path: '/webhook',
        tags,
        summary: 'Send message events to this URL, signed with this secret (kept in the store)',
        request: { body: { required: true, content: { 'application/json': { schema: WebhookInput } } } },
        decode: { body: webhookBody },
        responses: { 200: json(WebhookView, 'the webhook in force'), 400: error('a bad URL or secret') },
      },
      async (c, { body }) => {
        await w.settings.set(body.url, body.secret, Date.now())
        events?.emit('webhook', { configured: true })
        return c.json(await view(w))
      },
    )
    route(
      {
        method: 'delete',
        path: '/webhook',
        tags,
        summary: "Remove the admin API's webhook (the environment's, if any, is in force again)",
        responses: {
          200: json(
            WebhookView.extend({ removed: z.boolean().describe('whether there was one to remove') }),
            'the webhook in force after it',
          ),
        },
      },
      async (c) => {
        const removed = await w.settings.remove()
        events?.emit('webhook', { configured: false })
        return c.json({ removed, ...(await view(w)) })
      },
    )
    route(
      {
        method: 'get',
        path: '/webhook/deliveries',
        tags,
        summary: 'Every delivery attempt kept (the newest 500), newest first',
        responses: {
          200: json(
            z.object({
              pending: z.number().int(),
              size: z.number().int().describe('attempts kept at most'),
              deliveries: z.array(WebhookDelivery),
            }),
          ),
        },
      },
      async (c) =>
        c.json({
          pending: await w.dispatcher.pending(),
          size: w.deliveries.size,
          deliveries: w.deliveries.list(),
        }),
    )
    route(
      {
        method: 'delete',
        path: '/webhook/deliveries',
        tags,
        summary: 'Clear the delivery log',
        responses: { 200: json(z.object({ cleared: z.literal(true) })) },
      },
      (c) => {
        w.deliveries.clear()
        return c.json({ cleared: true })
      },
    )
  }
}
