import { MAX_WAIT_S } from './messages.ts'

/** Where the admin API's own OpenAPI document is served (public: a description holds no data). */
export const ADMIN_OPENAPI_PATH = '/openapi/_mailfront.json'

const json = (schema: Record<string, unknown>, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
})
const error = (description: string) => json({ $ref: '#/components/schemas/Error' }, description)
const query = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type },
})
const path = (name: string, description: string, type = 'string') => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type },
})
const op = (tag: string, summary: string, rest: Record<string, unknown>) => ({
  tags: [tag],
  summary,
  ...rest,
})
const id = path('id', 'the message id (40 hex digits)')
const notFound = { 404: error('no such message') }

/**
 * mailfront's own admin API (`/_mailfront/…`) as an OpenAPI 3.1 document, written by hand next to
 * the routes it describes (they are plain Hono routes, not zod-openapi ones).
 */
export function adminOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mailfront admin API',
      version,
      description:
        'Captured mail, reset and fixtures, the request log, faults, the clock, webhooks and live events of a mailfront server. ' +
        'Open to loopback clients when no MAILFRONT_ADMIN_TOKEN is set; with one, every client sends ' +
        '`Authorization: Bearer <token>`.',
    },
    servers: [{ url: '/_mailfront' }],
    security: [{}, { adminToken: [] }],
    tags: [
      { name: 'mail', description: 'captured and queued mail' },
      { name: 'state', description: 'reset and fixtures' },
      { name: 'requests', description: 'the request log' },
      { name: 'faults', description: 'failures on demand' },
      { name: 'events', description: 'live updates' },
      { name: 'webhooks', description: 'signed outbound message events and their delivery log' },
    ],
    paths: {
      '/': {
        get: op('state', 'This index: what the admin API offers and where it is described', {
          responses: { 200: json({ type: 'object' }) },
        }),
      },
      '/messages': {
        get: op('mail', 'Captured mail, newest first, with a total', {
          parameters: [
            query(
              'q',
              'full-text search: subject, addresses, text and HTML bodies, headers, attachment names; every term must occur, "a phrase" is one term',
            ),
            query('from', 'envelope sender contains (case-insensitive)'),
            query('to', 'an envelope recipient contains (case-insensitive)'),
            query('subject', 'subject contains (case-insensitive)'),
            query('plugin', 'captured by this plugin (`smtp` in capture-anything mode)'),
            query('limit', 'page size, 1–500 (50)', 'integer'),
            query('offset', 'messages skipped (0)', 'integer'),
            query(
              'wait',
              `seconds (at most ${MAX_WAIT_S}) to wait for a first match; an empty list at the end`,
              'integer',
            ),
          ],
          responses: {
            200: json({
              type: 'object',
              required: ['total', 'limit', 'offset', 'messages'],
              properties: {
                total: { type: 'integer' },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
                truncated: {
                  type: 'boolean',
                  description:
                    'present (true) when a q search matched more than 10,000 messages: the newest are in',
                },
                messages: { type: 'array', items: { $ref: '#/components/schemas/MessageSummary' } },
              },
            }),
            400: error('a bad value, or an unknown parameter (the known ones named)'),
          },
        }),
        delete: op('mail', 'Delete every message with its queue entries', {
          responses: { 200: json({ type: 'object', properties: { deleted: { type: 'integer' } } }) },
        }),
      },
      '/messages/{id}': {
        get: op('mail', 'One message: its summary and its parsed content', {
          parameters: [id],
          responses: { 200: json({ $ref: '#/components/schemas/Message' }), ...notFound },
        }),
        delete: op('mail', 'Delete one message with its queue entries', {
          parameters: [id],
          responses: { 200: json({ type: 'object', properties: { deleted: { const: 1 } } }), ...notFound },
        }),
      },
      '/messages/{id}/raw': {
        get: op('mail', 'The message as received', {
          parameters: [id],
          responses: {
            200: { description: 'the bytes', content: { 'message/rfc822': { schema: { type: 'string' } } } },
            ...notFound,
          },
        }),
      },
      '/messages/{id}/attachments/{n}': {
        get: op('mail', "Attachment n's decoded bytes, as a sandboxed download", {
          parameters: [id, path('n', 'the attachment index (`attachments[].index`)', 'integer')],
          responses: {
            200: {
              description: 'the part, `Content-Disposition: attachment`, `Content-Security-Policy: sandbox`',
              content: {
                '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
              },
            },
            404: error('no such message or attachment'),
          },
        }),
      },
      '/messages/{id}/release': {
        post: op('mail', 'Send a captured message through the relay, once, to allowed addresses', {
          parameters: [id],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { to: { type: 'array', items: { type: 'string', format: 'email' } } },
                },
              },
            },
          },
          responses: {
            200: json({
              type: 'object',
              properties: {
                released: { $ref: '#/components/schemas/Released' },
                failed: {
                  type: 'array',
                  description: 'recipients the relay refused or failed, each with its answer',
                  items: { type: 'object' },
                },
                results: { type: 'array', items: { type: 'object' } },
              },
            }),
            400: error('bad addresses'),
            403: error('release off (MAILFRONT_MAIL_RELEASE_ALLOW unset) or an address not allowed'),
            ...notFound,
            409: error('already released'),
            502: error('the relay took no recipient (not marked released)'),
          },
        }),
      },
      '/reset': {
        post: op(
          'state',
          'Empty the store and load the configured fixtures again; clear the request log and faults',
          {
            responses: { 200: json({ type: 'object' }) },
          },
        ),
      },
      '/fixtures': {
        get: op('state', 'The store as a fixtures document', {
          responses: { 200: json({ type: 'object' }) },
        }),
        post: op('state', 'Load a fixtures document (upserts)', {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 200: json({ type: 'object' }), 400: error('invalid document (the JSON path named)') },
        }),
      },
      '/requests': {
        get: op('requests', 'The request log, newest first, secrets redacted', {
          parameters: [
            query('plugin', 'plugin id'),
            query('method', 'HTTP method'),
            query('path', 'a path prefix or a * pattern'),
            query('status', 'a status code or a class (4xx)'),
            query('limit', 'at most this many', 'integer'),
          ],
          responses: { 200: json({ type: 'object' }), 400: error('a bad filter') },
        }),
        delete: op('requests', 'Clear the request log', { responses: { 200: json({ type: 'object' }) } }),
      },
      '/faults': {
        get: op('faults', "The faults in force and each plugin's error codes", {
          responses: { 200: json({ type: 'object' }) },
        }),
        post: op('faults', 'Inject a fault: latency, a status, or a provider error code', {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 201: json({ type: 'object' }, 'the fault'), 400: error('an invalid fault') },
        }),
        delete: op('faults', 'Clear every fault', { responses: { 200: json({ type: 'object' }) } }),
      },
      '/clock': {
        get: op('clock', 'The time every rule reads: {now, movable, offsetMs}', {
          responses: { 200: json({ type: 'object' }) },
        }),
        post: op('clock', 'Move the clock: {advance: "31d"}, {set: "<ISO instant>"} or {reset: true}', {
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            200: json({ type: 'object' }, 'the clock after the move'),
            400: error('a bad move'),
            409: error('the clock is not movable (MAILFRONT_CLOCK)'),
          },
        }),
      },
      '/webhook': {
        get: op('webhooks', 'The webhook in force: url, source (env or admin), never the secret', {
          responses: { 200: json({ $ref: '#/components/schemas/Webhook' }) },
        }),
        put: op('webhooks', 'Send message events to this URL, signed with this secret (kept in the store)', {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['url', 'secret'],
                  additionalProperties: false,
                  properties: {
                    url: {
                      type: 'string',
                      format: 'uri',
                      description: 'http:// or https://, no user or password',
                    },
                    secret: { type: 'string', minLength: 16, writeOnly: true },
                  },
                },
              },
            },
          },
          responses: {
            200: json({ $ref: '#/components/schemas/Webhook' }, 'the webhook in force'),
            400: error('a bad URL or secret'),
          },
        }),
        delete: op(
          'webhooks',
          "Remove the admin API's webhook (the environment's, if any, is in force again)",
          {
            responses: {
              200: json({ $ref: '#/components/schemas/Webhook' }, 'the webhook in force after it'),
            },
          },
        ),
      },
      '/webhook/deliveries': {
        get: op('webhooks', 'Every delivery attempt kept (the newest 500), newest first', {
          responses: {
            200: json({
              type: 'object',
              properties: {
                pending: { type: 'integer', description: 'deliveries waiting for an attempt' },
                size: { type: 'integer', description: 'attempts kept' },
                deliveries: { type: 'array', items: { $ref: '#/components/schemas/WebhookDelivery' } },
              },
            }),
          },
        }),
        delete: op('webhooks', 'Clear the delivery log', { responses: { 200: json({ type: 'object' }) } }),
      },
      '/events': {
        get: op('events', 'Server-sent events: request, mail, reset, fixtures, faults, clock, webhook', {
          responses: {
            200: {
              description: 'an event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
          },
        }),
      },
    },
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'MAILFRONT_ADMIN_TOKEN' },
      },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
        Webhook: {
          type: 'object',
          required: ['configured', 'events', 'headers', 'signedString', 'pending'],
          properties: {
            configured: { type: 'boolean' },
            url: { type: 'string' },
            source: { enum: ['env', 'admin'] },
            secretSet: { type: 'boolean' },
            envUrl: {
              type: 'string',
              description: "MAILFRONT_WEBHOOK_URL, while the admin API's webhook wins",
            },
            events: { type: 'array', items: { type: 'string' } },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
            signedString: { type: 'string' },
            pending: { type: 'integer' },
            removed: { type: 'boolean', description: 'on DELETE: whether there was one to remove' },
          },
        },
        WebhookDelivery: {
          type: 'object',
          required: ['eventId', 'type', 'url', 'attempt', 'durationMs', 'at', 'outcome'],
          properties: {
            eventId: { type: 'string' },
            type: { type: 'string' },
            url: { type: 'string' },
            attempt: { type: 'integer', description: '1 for the first' },
            status: { type: 'integer', description: "the receiver's HTTP status, when it answered" },
            error: { type: 'string' },
            durationMs: { type: 'integer' },
            at: { type: 'string', format: 'date-time' },
            outcome: { enum: ['delivered', 'retrying', 'failed', 'dropped'] },
            nextRetryAt: { type: 'string', format: 'date-time' },
          },
        },
        Released: {
          type: 'object',
          properties: { at: { type: 'integer' }, to: { type: 'array', items: { type: 'string' } } },
        },
        MessageSummary: {
          type: 'object',
          required: ['id', 'envelope', 'size', 'plugin', 'via', 'receivedAt', 'recipients'],
          properties: {
            id: { type: 'string' },
            messageId: { type: 'string' },
            envelope: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'array', items: { type: 'string' } } },
            },
            subject: { type: 'string' },
            size: { type: 'integer' },
            plugin: { type: 'string' },
            principal: { type: 'string' },
            via: { enum: ['smtp', 'api', 'dsn', 'local'] },
            clientAddress: { type: 'string' },
            receivedAt: { type: 'integer', description: 'epoch ms' },
            recipients: { type: 'array', items: { type: 'object' } },
            released: { $ref: '#/components/schemas/Released' },
          },
        },
        Message: {
          allOf: [
            { $ref: '#/components/schemas/MessageSummary' },
            {
              type: 'object',
              properties: {
                headers: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
                from: { type: 'string' },
                to: { type: 'string' },
                cc: { type: 'string' },
                date: { type: 'string' },
                text: { type: 'string' },
                html: { type: 'string' },
                attachments: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      index: { type: 'integer' },
                      filename: { type: 'string' },
                      contentType: { type: 'string' },
                      size: { type: 'integer' },
                      contentId: { type: 'string' },
                      inline: { type: 'boolean' },
                      url: { type: 'string' },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    },
  }
}

/** GET /_mailfront/: what the admin API offers. */
export function adminIndex(version: string): Record<string, unknown> {
  const doc = adminOpenApi(version) as { paths: Record<string, Record<string, { summary: string }>> }
  return {
    name: 'mailfront admin API',
    version,
    openapi: ADMIN_OPENAPI_PATH,
    docs: '/docs',
    ui: '/',
    routes: Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, o]) => ({
        method: method.toUpperCase(),
        path: `/_mailfront${p === '/' ? '/' : p}`,
        summary: o.summary,
      })),
    ),
  }
}
