import { contentSecurityHeaders, type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { planOf, retentionStart } from '../plan-limits.ts'
import { SEND, SEND_EVENT, type SendEventRow, type SendRow } from '../sending/models.ts'
import { createSend, type SendInput, sendView } from '../sending/sends.ts'
import type { Sending } from '../sending/service.ts'
import { fromTemplate } from '../sending/templates.ts'
import { authed, type C, clientAddress, json, jsonBody, smtpdRoutes } from './common.ts'
import { idParam } from './schemas.ts'
import { Send, SendEvent, SendObject } from './sending-schemas.ts'

const BASE = '/api/v1/email/send'

export function registerSend(app: OpenAPIHono<PluginEnv>, authorize: Authorize, sending: Sending) {
  const { ctx } = sending
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)

  route(
    authed('send', {
      method: 'post',
      path: BASE,
      operationId: 'smtpdSend',
      summary: 'Send one e-mail (or one from a template); 202 with the send, `accepted`',
      request: jsonBody(Send),
      ok: { status: 202, body: json(SendObject, 'Accepted; its state follows the delivery') },
      errors: [
        'VALIDATION_FAILED',
        'DOMAIN_NOT_READY',
        'ACCOUNT_NOT_VERIFIED',
        'BAD_ID',
        'PLAN_LIMIT',
        'MAIL_UNAVAILABLE',
      ],
    }),
    async (c, { auth: p, body: b }) => {
      const input: SendInput = b.template_id
        ? await fromTemplate(ctx, p.accountId, { ...b, template_id: b.template_id })
        : {
            recipient_email_address: b.recipient_email_address,
            recipient_name: b.recipient_name,
            from_email_address: b.from_email_address!,
            from_name: b.from_name ?? '',
            reply_to: b.reply_to ?? '',
            subject: b.subject!,
            content_html: b.content_html ?? '',
            content_text: b.content_text ?? '',
            open_tracking: b.open_tracking ?? false,
            click_tracking: b.click_tracking ?? false,
            tags: b.tags,
          }
      const ip = clientAddress(c)
      const send = await createSend(
        sending,
        { accountId: p.accountId, signal: c.req.raw.signal, ...(ip ? { clientAddress: ip } : {}) },
        input,
      )
      return c.json(sendView(send), 202)
    },
  )

  // Sends older than the plan's retention are gone from every lookup.
  const kept = async (accountId: string) => retentionStart(await planOf(ctx, accountId), ctx.clock.now())
  const list = async (accountId: string, limit: number, q?: string) =>
    db.findMany<SendRow>({
      model: SEND,
      where: {
        and: [
          { field: 'account_id', value: accountId },
          { field: 'created_at', op: 'gte' as const, value: await kept(accountId) },
          ...(q ? [{ field: 'recipient_email_address', op: 'contains' as const, value: q, ci: true }] : []),
        ],
      },
      sort: [{ field: 'created_at', dir: 'desc' }],
      limit,
    })

  route(
    authed('read', {
      method: 'get',
      path: BASE,
      operationId: 'smtpdSends',
      summary: 'The last sends, newest first (at most 1000)',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      ok: { status: 200, body: json(z.array(SendObject), 'Sends') },
      errors: ['VALIDATION_FAILED'],
    }),
    async (c, { auth: p, query }) => c.json((await list(p.accountId, query.limit)).map(sendView)),
  )
  route(
    authed('read', {
      method: 'get',
      path: `${BASE}/search`,
      operationId: 'smtpdSearchSends',
      summary: 'Sends whose recipient address contains `q` (at least 2 characters), newest first',
      request: {
        query: z.object({
          q: z.string().trim().min(2, 'at least 2 characters').max(320),
          limit: z.coerce.number().int().min(1).max(1000).default(1000),
        }),
      },
      ok: { status: 200, body: json(z.array(SendObject), 'Matching sends') },
      errors: ['VALIDATION_FAILED'],
    }),
    async (c, { auth: p, query }) => {
      const { q, limit } = query
      return c.json((await list(p.accountId, limit, q)).map(sendView))
    },
  )

  const own = async (c: C, accountId: string) => {
    const s = await db.findOne<SendRow>({ model: SEND, where: { field: 'id', value: c.req.param('id')! } })
    if (!s || s.account_id !== accountId || s.created_at < (await kept(accountId))) throw errors.BAD_ID()
    return s
  }
  route(
    authed('read', {
      method: 'get',
      path: `${BASE}/{id}`,
      operationId: 'smtpdSendStatus',
      summary: 'One send and its state',
      request: { params: idParam },
      ok: { status: 200, body: json(SendObject, 'The send') },
      errors: ['BAD_ID'],
    }),
    async (c, { auth: p }) => c.json(sendView(await own(c, p.accountId))),
  )
  route(
    authed('read', {
      method: 'get',
      path: `${BASE}/{id}/events`,
      operationId: 'smtpdSendEvents',
      summary: 'The events of a send, oldest first (delivery, open, click)',
      request: { params: idParam },
      ok: { status: 200, body: json(z.array(SendEvent), 'Events') },
      errors: ['BAD_ID'],
    }),
    async (c, { auth: p }) => {
      const s = await own(c, p.accountId)
      const rows = await db.findMany<SendEventRow>({
        model: SEND_EVENT,
        where: { field: 'send_id', value: s.id },
        sort: [{ field: 'id' }],
      })
      return c.json(
        rows.map((e) => ({
          id: String(e.id),
          send_id: e.send_id,
          type: e.type,
          detail: e.detail,
          created_at_utc: Math.floor(e.created_at / 1000),
        })),
      )
    },
  )
  for (const [kind, type] of [
    ['html', 'text/html'],
    ['text', 'text/plain'],
  ] as const)
    route(
      authed('read', {
        method: 'get',
        path: `${BASE}/{id}/content/${kind}`,
        operationId: `smtpdSendContent${kind === 'html' ? 'Html' : 'Text'}`,
        summary: `The ${kind} content of a send, as it was given (\`${type}\`)`,
        request: { params: idParam },
        ok: {
          status: 200,
          body: { description: 'The content', content: { [type]: { schema: z.string() } } },
        },
        errors: ['BAD_ID'],
      }),
      async (c, { auth: p }) => {
        const s = await own(c, p.accountId)
        // The sender's content on our origin: sandboxed, so a script in it never runs as the server.
        return c.body(kind === 'html' ? s.content_html : s.content_text, 200, {
          'Content-Type': `${type}; charset=utf-8`,
          ...contentSecurityHeaders({ images: kind === 'html' }),
        })
      },
    )
}
