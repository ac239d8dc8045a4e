import {
  clientAddressOf,
  createRoute,
  defineAuthScheme,
  defineRoutes,
  type OpenAPIHono,
  type PluginEnv,
  RPC_CODES,
  readBodyText,
  rpcErrorBody,
  STORE_RETRY_AFTER_S,
  z,
} from '@mailfront/core'
import type { Dispatcher } from './dispatch.ts'
import { langOf } from './errors.ts'

export const JSON_TYPE = 'application/json'

const session = defineAuthScheme('mailboxorgSession', {
  type: 'header',
  header: 'HPLS-AUTH',
  description: 'The Auth-ID returned by the `auth` method.',
})

const Envelope = z
  .object({
    jsonrpc: z.literal('2.0'),
    method: z.string().openapi({ example: 'hello.world' }),
    params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.literal('')]).optional(),
    id: z.union([z.string(), z.number(), z.null()]).optional(),
  })
  .openapi('MailboxorgRequest')
const Answer = z
  .object({
    jsonrpc: z.literal('2.0'),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
    id: z.union([z.string(), z.number(), z.null()]),
  })
  .openapi('MailboxorgAnswer')

const rpcRoute = createRoute({
  method: 'post',
  path: '/v1/',
  operationId: 'mailboxorgRpc',
  summary: 'JSON-RPC 2.0 endpoint (one call or a batch); the methods are in /openrpc.json',
  description:
    'Every method, its params, result, errors and level: [/openrpc.json](/openrpc.json), also from the `rpc.discover` method. ' +
    'The body is read as JSON whatever the Content-Type. `/v1` (no slash) is the same endpoint.',
  security: [{}, session.security],
  request: {
    body: {
      content: {
        [JSON_TYPE]: {
          schema: z.union([Envelope, z.array(Envelope)]),
          example: {
            jsonrpc: '2.0',
            method: 'auth',
            params: { user: 'test_account', pass: '123456' },
            id: '1',
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The answer (errors included), or an array for a batch',
      content: { [JSON_TYPE]: { schema: z.union([Answer, z.array(Answer)]) } },
    },
    204: { description: 'Only notifications were sent: nothing to answer' },
    405: { description: 'Another method than POST' },
    503: {
      description: 'The store is unreachable: the answers carry error -32000; Retry-After says when to retry',
    },
  },
})

export function registerRoutes(app: OpenAPIHono<PluginEnv>, dispatch: Dispatcher, bodyLimit: number) {
  session.register(app)
  // The body is read as JSON-RPC text whatever its Content-Type (see the README); the session is the
  // dispatcher's (per method); the answer is the dispatcher's text.
  const route = defineRoutes(app, {
    answers: 'raw',
    otherMethod: (c) =>
      c.body(rpcErrorBody(RPC_CODES.invalidRequest, 'Invalid Request: use POST'), 405, {
        'Content-Type': JSON_TYPE,
        Allow: 'POST',
      }),
  })
  route(
    { ...rpcRoute, aliases: ['/v1'], decode: { body: (c) => readBodyText(c, bodyLimit) } },
    async (c, { body }) => {
      const out = await dispatch(body, {
        token: c.req.header('hpls-auth'),
        lang: langOf(c.req.header('accept-language')),
        ip: clientAddressOf(c),
      })
      if (out.unavailable)
        return c.body(out.body ?? '', 503, {
          'Content-Type': JSON_TYPE,
          'Retry-After': String(STORE_RETRY_AFTER_S),
        })
      if (out.body === null) return c.body(null, 204)
      return c.body(out.body, 200, { 'Content-Type': JSON_TYPE })
    },
  )
}
