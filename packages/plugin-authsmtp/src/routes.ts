import {
  consumeCall,
  createRoute,
  defineAuthScheme,
  defineRoutes,
  type OpenAPIHono,
  type PluginEnv,
  z,
} from '@mailfront/core'
import type { Context } from 'hono'
import { errors } from './errors.ts'
import { apiCalls } from './rate-limits.ts'
import type { AuthsmtpContext } from './setup.ts'
import { type Account, findAccount, normalizeUserId } from './store.ts'
import { formatLondon, formatLondonWithOffset } from './time.ts'
import { basicUserXml, ipAllocationXml } from './wire.ts'

export const XML_TYPE = 'text/xml; charset=UTF-8'

const basic = defineAuthScheme('authsmtpBasic', {
  type: 'basic',
  description: 'Username: the user id; password: the account API password.',
})

const basicUserExample = basicUserXml({
  user_id: 'aa12345',
  current_datetime: '2026-06-10 18:40:30 +0100',
  next_reset: '2026-06-28 00:00:00',
  messages_limit: 1000n,
  data_limit: 209715200n,
  messages_sent: 120n,
  data_sent: 3145728n,
  max_message_size: 10485760n,
  from_addresses_limit: 10n,
  from_addresses_used: 2n,
})

const params = z.object({
  userId: z.string().openapi({ param: { name: 'userId', in: 'path' }, example: 'aa12345' }),
})
const errorExample =
  '<?xml version="1.0" encoding="UTF-8"?>\n<result>\n  <error>\n    <version>1.00</version>\n    <code>1</code>\n    <message>Rate limit exceeded: no more than 1 API request every 20 seconds</message>\n  </error>\n</result>\n'

/** One function's route: `/restful/<fn>/{userId}`, Basic auth, the XML answer. */
function fn(fn: 'basic_user' | 'ip_allocation', summary: string, ok: string) {
  return createRoute({
    method: 'get',
    path: `/restful/${fn}/{userId}`,
    operationId: fn,
    summary,
    security: [basic.security],
    request: { params },
    responses: {
      200: {
        description: `The \`${fn}\` object, or the XML \`error\` object (rate limited${fn === 'ip_allocation' ? ', no IPs' : ''}).`,
        content: {
          'text/xml': {
            schema: z.string(),
            examples: { data: { value: ok }, error: { value: errorExample } },
          },
        },
      },
      401: {
        description:
          'Missing or wrong credentials, API access disabled, or another user id (no challenge by default).',
      },
      404: { description: 'Unknown function.' },
      500: { description: 'Internal error.' },
      503: {
        description: 'The store cannot be reached: the XML `error` object (code 9), with `Retry-After`.',
      },
    },
  })
}

export function registerRoutes(app: OpenAPIHono<PluginEnv>, ctx: AuthsmtpContext) {
  basic.register(app)
  const { auth } = ctx.state
  const opts = ctx.options

  /**
   * Order of checks after routing: the login throttle (200 + XML error, before any credential is
   * checked), auth (401), then the per-user rate limit (200 + XML error).
   */
  async function authorize(c: Context<PluginEnv>, urlUserId: string): Promise<Account> {
    const cred = basic.read(c.req.header('authorization'))
    if (!cred) throw auth.failure()
    const id = normalizeUserId(urlUserId)
    const account = await auth.attempt(cred.username, c, async () => {
      const account = cred.username.toLowerCase() === id ? await findAccount(ctx, id) : null
      const stored = account?.api_enabled ? account.api_password_hash : null
      const ok = await auth.verify(id, cred.password, stored)
      return ok && account && stored ? account : null
    })
    const window = apiCalls.window(opts)
    if (window) {
      const wait = await consumeCall(ctx.rateLimits, `authsmtp:${id}`, window, ctx.clock)
      if (wait !== null) throw errors.RATE_LIMITED({ headers: { 'Retry-After': String(wait) } })
    }
    return account
  }

  // A plain header object in a Response of its own: with two headers Hono would build a web Headers.
  // A new object each time: @hono/node-server adds Content-Length to it.
  const xml = (body: string) =>
    new Response(body, { status: 200, headers: { 'Content-Type': XML_TYPE, 'Cache-Control': 'no-store' } })

  // The XML is written here (wire.ts), not by c.json: handlers answer a Response.
  const route = defineRoutes(app, {
    answers: 'raw',
    auth: (c) => authorize(c, c.req.param('userId') ?? ''),
  })
  route(
    // A trailing slash on the user id is tolerated.
    {
      ...fn('basic_user', 'Account details and quota usage', basicUserExample),
      aliases: ['/restful/basic_user/{userId}/'],
    },
    (_c, { auth: a }) =>
      xml(
        // The account row already has the quota fields; basicUserXml picks the wire table's elements.
        basicUserXml({
          ...a,
          current_datetime: formatLondonWithOffset(ctx.clock.now()),
          next_reset: formatLondon(a.next_reset),
          from_addresses_used: BigInt(a.from_addresses.length),
        }),
      ),
  )
  route(
    {
      ...fn(
        'ip_allocation',
        'Dedicated IP addresses',
        ipAllocationXml('aa12345', ['192.0.2.10', '192.0.2.11']),
      ),
      aliases: ['/restful/ip_allocation/{userId}/'],
    },
    (_c, { auth: a }) => {
      if (!a.ip_addresses.length) throw errors.NO_IP_ADDRESSES()
      return xml(ipAllocationXml(a.user_id, a.ip_addresses))
    },
  )
  // Anything else under /restful/ (unknown function, other method): the core's 404, no auth needed.
}
