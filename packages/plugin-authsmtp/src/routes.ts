import {
  ApiError,
  createRoute,
  type OpenAPIHono,
  type PluginEnv,
  parseBasic,
  retryAfterSeconds,
  verifyPassword,
  z,
} from '@mailfront/core'
import type { Context } from 'hono'
import type { AuthsmtpContext } from './options.ts'
import { type Account, findAccount, normalizeUserId } from './store.ts'
import { formatLondon, formatLondonWithOffset } from './time.ts'
import { basicUserXml, ipAllocationXml } from './wire.ts'

export const XML_TYPE = 'text/xml; charset=UTF-8'

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

function route(fn: 'basic_user' | 'ip_allocation', summary: string, ok: string) {
  return createRoute({
    method: 'get',
    path: `/restful/${fn}/{userId}`,
    operationId: fn,
    summary,
    security: [{ authsmtpBasic: [] }],
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
  app.openAPIRegistry.registerComponent('securitySchemes', 'authsmtpBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'Username: the user id; password: the account API password.',
  })
  const { cache, throttle } = ctx.state
  const opts = ctx.options

  const unauthorized = () => {
    ctx.events.authFailure('authsmtp')
    return new ApiError('UNAUTHORIZED', 401, 'Not Authorized')
  }

  /**
   * Order of checks after routing: the login throttle (200 + XML error, before any credential is
   * checked), auth (401), then the per-user rate limit (200 + XML error).
   */
  async function authorize(c: Context<PluginEnv>, urlUserId: string): Promise<Account> {
    const cred = parseBasic(c.req.header('authorization'))
    if (!cred) throw unauthorized()
    const id = normalizeUserId(urlUserId)
    const outcome = await throttle.attempt(cred.username, c.get('mailfront')?.ip ?? 'local', async () => {
      const account = cred.username.toLowerCase() === id ? await findAccount(ctx, id) : null
      const stored = account?.api_enabled ? account.api_password_hash : null
      const ok = await cache.verify(id, cred.password, stored ?? '', async () => {
        ctx.events.slowHash('authsmtp')
        return (await verifyPassword(cred.password, stored)) ? true : null
      })
      return ok && account && stored ? account : null
    })
    if (outcome.status === 'refused')
      throw new ApiError('LOGIN_THROTTLED', 200, 'too many failed logins', {
        headers: { 'Retry-After': String(outcome.retryAfterS) },
      })
    if (outcome.status === 'failed') throw unauthorized()
    const account = outcome.value
    if (opts.rateWindowS > 0) {
      const r = await ctx.rateLimits.consume(`authsmtp:${id}`, { windowMs: opts.rateWindowS * 1000, max: 1 })
      if (!r.allowed)
        throw new ApiError('RATE_LIMITED', 200, 'rate limited', {
          headers: { 'Retry-After': String(retryAfterSeconds(r.resetAt, ctx.clock.now())) },
        })
    }
    return account
  }

  // A plain header object in a Response of its own: with two headers Hono would build a web Headers.
  // A new object each time: @hono/node-server adds Content-Length to it.
  const xml = (_c: Context<PluginEnv>, body: string) =>
    new Response(body, { status: 200, headers: { 'Content-Type': XML_TYPE, 'Cache-Control': 'no-store' } })

  const basicUser = async (c: Context<PluginEnv>) => {
    const a = await authorize(c, c.req.param('userId')!)
    return xml(
      c,
      // The account row already has the quota fields; basicUserXml picks the wire table's elements.
      basicUserXml({
        ...a,
        current_datetime: formatLondonWithOffset(ctx.clock.now()),
        next_reset: formatLondon(a.next_reset),
        from_addresses_used: BigInt(a.from_addresses.length),
      }),
    )
  }
  const ipAllocation = async (c: Context<PluginEnv>) => {
    const a = await authorize(c, c.req.param('userId')!)
    if (!a.ip_addresses.length) throw new ApiError('NO_IP_ADDRESSES', 200, 'no IPs')
    return xml(c, ipAllocationXml(a.user_id, a.ip_addresses))
  }

  app.openapi(route('basic_user', 'Account details and quota usage', basicUserExample), basicUser as never)
  app.openapi(
    route(
      'ip_allocation',
      'Dedicated IP addresses',
      ipAllocationXml('aa12345', ['192.0.2.10', '192.0.2.11']),
    ),
    ipAllocation as never,
  )
  // A trailing slash on the user id is tolerated.
  app.get('/restful/basic_user/:userId/', basicUser)
  app.get('/restful/ip_allocation/:userId/', ipAllocation)
  // Anything else under /restful/ (unknown function, other method): 404, no auth needed.
  app.all('/restful/*', () => {
    throw new ApiError('NOT_FOUND', 404, 'Not Found')
  })
}
