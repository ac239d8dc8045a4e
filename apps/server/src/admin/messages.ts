import { contentSecurityHeaders, type MessageQuery, z } from '@mailfront/core'
import { attachmentOf, type MailPipeline, parseMessage } from '@mailfront/mail'
import type { Context } from 'hono'
import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { attachmentHeaders } from './content-headers.ts'
import { type ReleaseAnswer, type ReleaseConfig, releaseMessage } from './release.ts'
import { AnyObject, error, json, jsonBody, Message, MessageSummary, Released } from './schemas.ts'
import { waitFor } from './wait.ts'

const FILTERS = ['q', 'from', 'to', 'subject', 'plugin'] as const
const CONTROLS = ['limit', 'offset', 'wait'] as const
const MAX_LIMIT = 500
/** The longest `?wait=`: long enough for a test's mail to arrive, short of a proxy's idle timeout. */
export const MAX_WAIT_S = 60

/** The list's query as the document shows it; listQuery reads it (its messages are the API's). */
const ListQuery = z.object({
  q: z
    .string()
    .optional()
    .describe(
      'full-text search: subject, addresses, text and HTML bodies, headers, attachment names; every term must occur, "a phrase" is one term',
    ),
  from: z.string().optional().describe('envelope sender contains (case-insensitive)'),
  to: z.string().optional().describe('an envelope recipient contains (case-insensitive)'),
  subject: z.string().optional().describe('subject contains (case-insensitive)'),
  plugin: z.string().optional().describe('captured by this plugin (`smtp` in capture-anything mode)'),
  limit: z.number().int().min(1).max(MAX_LIMIT).default(50).describe('page size'),
  offset: z.number().int().min(0).default(0).describe('messages skipped'),
  wait: z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_S)
    .default(0)
    .describe('seconds to wait for a first match; an empty list at the end'),
})
type ListQuery = z.output<typeof ListQuery>

/** The list's query, checked: an unknown name is a 400 naming the known ones (a misspelt filter never matches all). */
function listQuery(c: Context): ListQuery {
  const unknown = Object.keys(c.req.queries()).filter(
    (k) => !(FILTERS as readonly string[]).includes(k) && !(CONTROLS as readonly string[]).includes(k),
  )
  if (unknown.length)
    throw new AdminError(
      400,
      `unknown filter ${unknown.map((k) => `"${k}"`).join(', ')}: the filters are ${FILTERS.join(', ')}; paging ${CONTROLS.join(', ')}`,
    )
  const q: ListQuery = { limit: 50, offset: 0, wait: 0 }
  for (const k of CONTROLS) {
    const v = c.req.query(k)
    if (v === undefined) continue
    if (!/^\d{1,9}$/.test(v)) throw new AdminError(400, `${k} must be a whole number`)
    q[k] = Number(v)
  }
  if (q.limit < 1 || q.limit > MAX_LIMIT)
    throw new AdminError(400, `limit must be between 1 and ${MAX_LIMIT}`)
  if (q.wait > MAX_WAIT_S) throw new AdminError(400, `wait must be at most ${MAX_WAIT_S} seconds`)
  for (const k of FILTERS) {
    const v = c.req.query(k)
    if (v) q[k] = v
  }
  return q
}

/** The body of a release: empty, or `{"to": [addresses]}`. */
async function releaseBody(c: Context): Promise<{ to?: string[] }> {
  const body = await jsonBody(c, {
    empty: true,
    invalid: () => 'the body must be JSON: {"to": ["address", …]} or empty',
  })
  if (body === undefined) return {}
  const list = (body as { to?: unknown })?.to
  if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string')))
    throw new AdminError(400, 'to must be a list of addresses')
  return { to: list as string[] | undefined }
}

const Id = z.object({ id: z.string().describe('the message id (40 hex digits)') })
const notFound = { 404: error('no such message') }
const tags = ['mail']

/**
 * Captured and queued mail: `/_mailfront/messages…`. Newest first with a total; `limit`/`offset`
 * paging; `q` (full text), `from`, `to`, `subject` (case-insensitive substrings), `plugin` (exact).
 * `wait=<s>` (at most 60): when nothing matches yet, answer once something does, or at the end of the
 * wait with the empty list (200, `total: 0`: a timeout is an empty answer, never an error status).
 */
export function messageRoutes(
  mail: MailPipeline,
  release: ReleaseConfig = { allow: [] },
  /** Told of each release that sent (the `message.released` webhook). */
  onReleased?: (id: string, r: NonNullable<ReleaseAnswer['released']>) => void,
): AdminRoutes {
  return (admin) => {
    const route = adminRoute(admin)
    route(
      {
        method: 'get',
        path: '/messages',
        tags,
        summary: 'Captured mail, newest first, with a total',
        request: { query: ListQuery },
        decode: { query: listQuery },
        responses: {
          200: json(
            z.object({
              total: z.number().int(),
              limit: z.number().int(),
              offset: z.number().int(),
              truncated: z
                .literal(true)
                .optional()
                .describe('present when a q search matched more than 10,000 messages: the newest are in'),
              messages: z.array(MessageSummary),
            }),
          ),
          400: error('a bad value, or an unknown parameter (the known ones named)'),
        },
      },
      async (c, { query }) => {
        const { limit, offset, wait, ...filters } = query
        const q: MessageQuery = { ...filters, limit, offset }
        const find = async () => {
          const found = await mail.page(q)
          return found.total || !wait ? found : null
        }
        const found = wait ? await waitFor(mail, find, wait * 1000, c.req.raw.signal) : await find()
        const { total, messages, truncated } = found ?? { total: 0, messages: [], truncated: false }
        // `truncated` only when a search matched more than it keeps (SEARCH_HITS, the newest).
        return c.json({ total, limit, offset, ...(truncated ? { truncated } : {}), messages })
      },
    )
    route(
      {
        method: 'get',
        path: '/messages/{id}',
        tags,
        summary: 'One message: its summary and its parsed content',
        request: { params: Id },
        responses: { 200: json(Message), ...notFound },
      },
      async (c, { params: { id } }) => {
        const m = await mail.get(id)
        const raw = m && (await mail.raw(id))
        if (!m || !raw) return c.json({ error: `no message ${id}` }, 404)
        const parsed = await parseMessage(raw)
        const base = `/_mailfront/messages/${encodeURIComponent(id)}/attachments`
        // Stored mail is always shown: what could be read, and where the raw source is.
        if (parsed.parseError)
          mail.log.warn({ mail: id, error: parsed.parseError }, 'captured mail: message could not be parsed')
        return c.json({
          ...m,
          ...parsed,
          ...(parsed.parseError ? { rawUrl: `/_mailfront/messages/${encodeURIComponent(id)}/raw` } : {}),
          attachments: parsed.attachments.map((a) => ({ ...a, url: `${base}/${a.index}` })),
        })
      },
    )
    route(
      {
        method: 'get',
        path: '/messages/{id}/raw',
        tags,
        summary: 'The message as received',
        request: { params: Id },
        responses: {
          200: { description: 'the bytes', content: { 'message/rfc822': { schema: z.string() } } },
          ...notFound,
        },
      },
      async (c, { params: { id } }) => {
        const raw = await mail.raw(id)
        if (!raw) return c.json({ error: `no message ${id}` }, 404)
        return c.body(raw as Uint8Array<ArrayBuffer>, 200, {
          'Content-Type': 'message/rfc822',
          ...contentSecurityHeaders({ download: `${id}.eml` }),
        })
      },
    )
    route(
      {
        method: 'get',
        path: '/messages/{id}/attachments/{n}',
        tags,
        summary: "Attachment n's decoded bytes, as a sandboxed download",
        request: {
          params: Id.extend({
            n: z
              .string()
              .regex(/^[0-9]{1,4}$/)
              .describe('the attachment index (`attachments[].index`)'),
          }),
        },
        responses: {
          200: {
            description: 'the part, `Content-Disposition: attachment`, `Content-Security-Policy: sandbox`',
            content: { '*/*': { schema: z.string().openapi({ format: 'binary' }) } },
          },
          400: error('an index that is no number'),
          404: error('no such message or attachment'),
        },
      },
      async (c, { params }) => {
        const { id } = params
        const n = Number(params.n)
        const raw = await mail.raw(id)
        if (!raw) return c.json({ error: `no message ${id}` }, 404)
        const a = await attachmentOf(raw, n)
        if (!a) return c.json({ error: `message ${id} has no attachment ${n}` }, 404)
        return c.body(
          new Uint8Array(a.content),
          200,
          attachmentHeaders(a.contentType, a.filename ?? `attachment-${n}`),
        )
      },
    )
    route(
      {
        method: 'post',
        path: '/messages/{id}/release',
        tags,
        summary: 'Send a captured message through the relay, once, to allowed addresses',
        request: {
          params: Id,
          body: {
            required: false,
            content: { 'application/json': { schema: z.object({ to: z.array(z.email()).optional() }) } },
          },
        },
        decode: { body: releaseBody },
        responses: {
          200: json(
            z.object({
              released: Released,
              failed: z
                .array(AnyObject)
                .describe('recipients the relay refused or failed, each with its answer'),
              results: z.array(AnyObject),
            }),
          ),
          400: error('bad addresses'),
          403: error('release off (MAILFRONT_MAIL_RELEASE_ALLOW unset) or an address not allowed'),
          ...notFound,
          409: error('already released'),
          502: error('the relay took no recipient (not marked released)'),
        },
      },
      async (c, { params, body }) => {
        const r = await releaseMessage(mail, release, params.id, body.to)
        if (r.released) onReleased?.(params.id, r.released)
        return c.json(r.body, r.status)
      },
    )
    route(
      {
        method: 'delete',
        path: '/messages',
        tags,
        summary: 'Delete every message with its queue entries',
        responses: { 200: json(z.object({ deleted: z.number().int() })) },
      },
      async (c) => c.json({ deleted: await mail.clear() }),
    )
    route(
      {
        method: 'delete',
        path: '/messages/{id}',
        tags,
        summary: 'Delete one message with its queue entries',
        request: { params: Id },
        responses: { 200: json(z.object({ deleted: z.literal(1) })), ...notFound },
      },
      async (c, { params: { id } }) => {
        if (!(await mail.remove(id))) return c.json({ error: `no message ${id}` }, 404)
        return c.json({ deleted: 1 })
      },
    )
  }
}
