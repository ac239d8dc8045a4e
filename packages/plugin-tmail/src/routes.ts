import {
  defineRoutes,
  type OpenAPIHono,
  type PluginContext,
  type PluginEnv,
  readBodyText,
  type z,
} from '@mailfront/core'
import type { Context } from 'hono'
import { adminAuth, type adminSource } from './auth.ts'
import { decodeGoBody, type GoShape } from './body.ts'
import { ROUTES } from './docs.ts'
import { errors, raw } from './errors.ts'
import type { TmailOptions } from './options.ts'
import { getMessage, markMessage, parseMessageId } from './queue.ts'
import { queueList } from './queue-list.ts'
import { messageWire, USER, type UserRow, userWire } from './store.ts'
import { streamJsonArray } from './stream.ts'
import { changePassword, createUser, deleteUser, findUser } from './users.ts'
import { goJson, JSON_TYPE, PONG } from './wire.ts'

type C = Context<PluginEnv>

const json = (c: C, body: string) => c.body(body, 200, { 'Content-Type': JSON_TYPE })

/** `?limit=&offset=` checked one by one, in tmail's error (BAD_JSON, Go's texts). */
function decodeQuery(c: C, schema: z.ZodType): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, field] of Object.entries((schema as z.ZodObject).shape)) {
    const v = c.req.query(k)
    if (v === undefined) continue
    const r = (field as z.ZodType).safeParse(v)
    if (!r.success)
      throw errors.BAD_JSON({ message: `invalid ${k}`, ...raw(`${k} ${r.error.issues[0]!.message}`) })
    out[k] = v
  }
  return out
}

/** `limit`/`offset` as whole numbers. */
const pagingOf = (q: { limit?: string | undefined; offset?: string | undefined }) => ({
  ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
  ...(q.offset === undefined ? {} : { offset: Number(q.offset) }),
})

export function registerRoutes(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  opts: TmailOptions,
  admin: ReturnType<typeof adminSource>,
) {
  const authorize = adminAuth(ctx, opts, admin)
  // Each route of docs.ts: the admin credential first (when it has `security`), then the query and
  // the body the way tmail's Go handlers read them, then the handler.
  const on = defineRoutes(app, {
    // tmail's JSON is Go's (encoding/json's escapes, streamed lists): written here, not by c.json.
    answers: 'raw',
    auth: authorize,
    decode: {
      query: decodeQuery,
      body: async (c, schema) =>
        decodeGoBody(await readBodyText(c, ctx.bodyLimit), schema as z.ZodObject<GoShape>),
    },
    // As tmail's router: a known path with another method is 405 with Allow; anything else 404.
    otherMethod: (c, allow) => {
      if (c.req.method === 'OPTIONS') return c.body(null, 200, { Allow: allow })
      throw errors.METHOD_NOT_ALLOWED(raw('', { Allow: allow }))
    },
  })
  const list =
    (model: string, toJson: (r: never) => string) =>
    (c: C, { query }: { query: Parameters<typeof pagingOf>[0] }) => {
      const stream = streamJsonArray(ctx.storage, model, toJson, {
        ...pagingOf(query),
        log: ctx.log,
      } as never)
      return c.body(stream, 200, { 'Content-Type': JSON_TYPE })
    }

  on(ROUTES.ping, (c) => json(c, PONG))
  on(
    ROUTES.listUsers,
    list(USER, (u: UserRow) => goJson(userWire(u))),
  )
  on(ROUTES.createUser, async (c, { params, body }) => {
    await createUser(ctx, opts, params.login, body)
    const scheme = c.get('mailfront')?.secure ? 'https' : 'http'
    const host = c.req.header('host') ?? new URL(c.req.url).host
    // The login as given in the path, as tmail does: the raw (percent-encoded) request path, mount
    // prefix included, since a decoded non-Latin-1 login cannot go into a header (it failed with a 500
    // after the user was created).
    const path = new URL(c.req.url).pathname
    c.header('Location', `${scheme}://${host}${path}`)
    return c.body(null, 201)
  })
  on(ROUTES.getUser, async (c, { params }) => {
    const u = await findUser(ctx.storage, params.login)
    if (!u) throw errors.NO_SUCH_USER({ message: `no such user ${params.login}` })
    return json(c, goJson(userWire(u)))
  })
  on(ROUTES.changePassword, async (c, { params, body }) => {
    await changePassword(ctx, params.login, body.passwd)
    return c.body(null, 204)
  })
  on(ROUTES.deleteUser, async (c, { params }) => {
    await deleteUser(ctx, params.login)
    return c.body(null, 200)
  })

  on(ROUTES.listQueue, (c, { query }) =>
    c.body(queueList(ctx, { ...pagingOf(query), log: ctx.log }), 200, { 'Content-Type': JSON_TYPE }),
  )
  on(ROUTES.getMessage, async (c, { params }) =>
    json(c, goJson(messageWire(await getMessage(ctx, parseMessageId(params.id))))),
  )
  for (const action of ['discard', 'bounce'] as const)
    on(ROUTES[action], async (c, { params }) => {
      await markMessage(ctx, parseMessageId(params.id), action)
      return c.body(null, 200)
    })
}
