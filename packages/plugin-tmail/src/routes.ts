import {
  type createRoute,
  type OpenAPIHono,
  type PluginContext,
  type PluginEnv,
  readBodyText,
  type z,
} from '@mailfront/core'
import type { Context } from 'hono'
import { adminAuth, type adminSource } from './auth.ts'
import { BodyError, decodeGoBody, type GoShape } from './body.ts'
import { ROUTES } from './docs.ts'
import { tmailError } from './errors.ts'
import type { TmailOptions } from './options.ts'
import { getMessage, markMessage, parseMessageId } from './queue.ts'
import { queueList } from './queue-list.ts'
import { messageWire, USER, type UserRow, userWire } from './store.ts'
import { streamJsonArray } from './stream.ts'
import { changePassword, createUser, deleteUser, findUser } from './users.ts'
import { goJson, JSON_TYPE, PONG } from './wire.ts'

type C = Context<PluginEnv>
type Route = ReturnType<typeof createRoute>
type BodyOf<R> = R extends { request: { body: { content: { 'application/json': { schema: infer S } } } } }
  ? S extends z.ZodObject<GoShape>
    ? z.output<S>
    : never
  : undefined
/** What a handler gets once its route's schemas accepted the request. */
interface Valid<R> {
  /** `limit`/`offset`, whole numbers. */
  paging: { limit?: number; offset?: number }
  body: BodyOf<R>
}

const json = (c: C, body: string) => c.body(body, 200, { 'Content-Type': JSON_TYPE })

/** Validate the query and body with the route's schemas, answering tmail's errors (Go's texts). */
async function validate<R extends Route>(c: C, route: R, bodyLimit: number): Promise<Valid<R>> {
  const paging: Record<string, number> = {}
  const query = route.request?.query as z.ZodObject | undefined
  for (const [k, field] of Object.entries(query?.shape ?? {})) {
    const v = c.req.query(k)
    if (v === undefined) continue
    const r = (field as z.ZodType).safeParse(v)
    if (!r.success) throw tmailError('BAD_JSON', `invalid ${k}`, `${k} ${r.error.issues[0]!.message}`)
    paging[k] = Number(v)
  }
  const media = route.request?.body?.content['application/json']
  const schema = (media && 'schema' in media ? media.schema : undefined) as z.ZodObject<GoShape> | undefined
  if (!schema) return { paging, body: undefined as BodyOf<R> }
  const text = await readBodyText(c, bodyLimit)
  try {
    return { paging, body: decodeGoBody(text, schema) as unknown as BodyOf<R> }
  } catch (e) {
    if (e instanceof BodyError) throw tmailError('BAD_JSON', undefined, e.message)
    throw e
  }
}

export function registerRoutes(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  opts: TmailOptions,
  admin: ReturnType<typeof adminSource>,
) {
  const authorize = adminAuth(ctx, opts, admin)
  const allowed = new Map<string, string[]>()
  /** Register `route` for the docs and the router: auth (when it has `security`), validation, handler. */
  const on = <R extends Route>(
    route: R,
    handler: (c: C, input: Valid<R>) => Response | Promise<Response>,
  ) => {
    app.openAPIRegistry.registerPath(route)
    const path = route.getRoutingPath()
    allowed.set(path, [...(allowed.get(path) ?? []), route.method.toUpperCase()])
    app.on(route.method.toUpperCase(), path, async (c) => {
      if (route.security?.length) await authorize(c)
      return handler(c, await validate(c, route, ctx.bodyLimit))
    })
  }
  const list =
    (model: string, toJson: (r: never) => string) =>
    (c: C, { paging }: Valid<Route>) => {
      const stream = streamJsonArray(ctx.storage, model, toJson, { ...paging, log: ctx.log } as never)
      return c.body(stream, 200, { 'Content-Type': JSON_TYPE })
    }

  on(ROUTES.ping, (c) => json(c, PONG))
  on(
    ROUTES.listUsers,
    list(USER, (u: UserRow) => goJson(userWire(u))),
  )
  on(ROUTES.createUser, async (c, { body }) => {
    const login = c.req.param('login')!
    await createUser(ctx, opts, login, body)
    const scheme = c.get('mailfront')?.secure ? 'https' : 'http'
    const host = c.req.header('host') ?? new URL(c.req.url).host
    // The login as given in the path, as tmail does: the raw (percent-encoded) request path, mount
    // prefix included, since a decoded non-Latin-1 login cannot go into a header (it failed with a 500
    // after the user was created).
    const path = new URL(c.req.url).pathname
    c.header('Location', `${scheme}://${host}${path}`)
    return c.body(null, 201)
  })
  on(ROUTES.getUser, async (c) => {
    const login = c.req.param('login')!
    const u = await findUser(ctx.storage, login)
    if (!u) throw tmailError('NO_SUCH_USER', `no such user ${login}`)
    return json(c, goJson(userWire(u)))
  })
  on(ROUTES.changePassword, async (c, { body }) => {
    await changePassword(ctx, c.req.param('login')!, body.passwd)
    return c.body(null, 204)
  })
  on(ROUTES.deleteUser, async (c) => {
    await deleteUser(ctx, c.req.param('login')!)
    return c.body(null, 200)
  })

  on(ROUTES.listQueue, (c, { paging }) =>
    c.body(queueList(ctx, { ...paging, log: ctx.log }), 200, { 'Content-Type': JSON_TYPE }),
  )
  on(ROUTES.getMessage, async (c) =>
    json(c, goJson(messageWire(await getMessage(ctx, parseMessageId(c.req.param('id')!))))),
  )
  for (const action of ['discard', 'bounce'] as const)
    on(ROUTES[action], async (c) => {
      await markMessage(ctx, parseMessageId(c.req.param('id')!), action)
      return c.body(null, 200)
    })

  // As tmail's router: a known path with another method is 405 with Allow; anything else 404.
  for (const [path, methods] of allowed) {
    const allow = `${methods.sort().join(', ')}, OPTIONS`
    app.all(path, (c) => {
      if (c.req.method === 'OPTIONS') return c.body(null, 200, { Allow: allow })
      throw tmailError('METHOD_NOT_ALLOWED', undefined, '', { Allow: allow })
    })
  }
}
