import { type OpenAPIHono, type PluginContext, type PluginEnv, readBodyText } from '@mailfront/core'
import type { Context } from 'hono'
import { adminAuth, type adminSource } from './auth.ts'
import { BodyError, decodeGoBody } from './body.ts'
import { tmailError } from './errors.ts'
import { withLiveState } from './live.ts'
import type { TmailOptions } from './options.ts'
import { getMessage, markMessage, parseMessageId } from './queue.ts'
import { type MessageRow, messageWire, QUEUE, USER, type UserRow, userWire } from './store.ts'
import { streamJsonArray } from './stream.ts'
import { changePassword, createUser, deleteUser, findUser, type NewUser } from './users.ts'
import { goJson, JSON_TYPE, PONG } from './wire.ts'

type C = Context<PluginEnv>

const NEW_USER_FIELDS = {
  Passwd: 'string',
  AuthRelay: 'bool',
  HaveMailbox: 'bool',
  IsCatchall: 'bool',
  MailboxQuota: 'string',
} as const

async function readBody<T extends Record<string, string | boolean>>(
  c: C,
  limit: number,
  fields: Record<string, 'string' | 'bool'>,
  aliases?: Record<string, string>,
): Promise<T> {
  const text = await readBodyText(c, limit)
  try {
    return decodeGoBody<T>(text, fields as never, aliases as never)
  } catch (e) {
    if (e instanceof BodyError) throw tmailError('BAD_JSON', undefined, e.message)
    throw e
  }
}

const json = (c: C, body: string) => c.body(body, 200, { 'Content-Type': JSON_TYPE })

/** `?limit=&offset=`: our extension; absent means the whole list, as tmail answers. */
function paging(c: C): { limit?: number; offset?: number } {
  const out: { limit?: number; offset?: number } = {}
  for (const k of ['limit', 'offset'] as const) {
    const v = c.req.query(k)
    if (v === undefined) continue
    if (!/^\d{1,15}$/.test(v)) throw tmailError('BAD_JSON', `invalid ${k}`, `${k} must be a whole number`)
    out[k] = Number(v)
  }
  return out
}

export function registerRoutes(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  opts: TmailOptions,
  admin: ReturnType<typeof adminSource>,
) {
  const authorize = adminAuth(ctx, opts, admin)
  const list =
    (model: string, toJson: (r: never) => string, live = false) =>
    async (c: C) => {
      await authorize(c)
      const stream = streamJsonArray(ctx.storage, model, toJson, {
        ...paging(c),
        log: ctx.log,
        ...(live ? { mapBatch: (rows: MessageRow[]) => withLiveState(ctx, rows) } : {}),
      } as never)
      return c.body(stream, 200, { 'Content-Type': JSON_TYPE })
    }

  app.get('/ping', (c) => json(c, PONG))

  app.get(
    '/users',
    list(USER, (u: UserRow) => goJson(userWire(u))),
  )
  app.get('/users/:login', async (c) => {
    await authorize(c)
    const login = c.req.param('login')
    const u = await findUser(ctx.storage, login)
    if (!u) throw tmailError('NO_SUCH_USER', `no such user ${login}`)
    return json(c, goJson(userWire(u)))
  })
  app.post('/users/:login', async (c) => {
    await authorize(c)
    const login = c.req.param('login')
    const body = await readBody<NewUser & Record<string, string | boolean>>(
      c,
      ctx.bodyLimit,
      NEW_USER_FIELDS,
      {
        isCathall: 'IsCatchall',
      },
    )
    await createUser(ctx, opts, login, body)
    const scheme = c.env?.mailfront?.secure ? 'https' : 'http'
    const host = c.req.header('host') ?? new URL(c.req.url).host
    // The login as given in the path, as tmail does: the raw (percent-encoded) path, since a decoded
    // non-Latin-1 login cannot go into a header (it failed with a 500 after the user was created).
    const path = new URL(c.req.url).pathname
    c.header('Location', `${scheme}://${host}${c.env?.mailfront?.basePath ?? ''}${path}`)
    return c.body(null, 201)
  })
  app.put('/users/:login', async (c) => {
    await authorize(c)
    const body = await readBody<{ Passwd: string }>(c, ctx.bodyLimit, { Passwd: 'string' })
    await changePassword(ctx, c.req.param('login'), body.Passwd)
    return c.body(null, 204)
  })
  app.delete('/users/:login', async (c) => {
    await authorize(c)
    await deleteUser(ctx, c.req.param('login'))
    return c.body(null, 200)
  })

  app.get(
    '/queue',
    list(QUEUE, (m: MessageRow) => goJson(messageWire(m)), true),
  )
  app.get('/queue/:id', async (c) => {
    await authorize(c)
    return json(c, goJson(messageWire(await getMessage(ctx, parseMessageId(c.req.param('id'))))))
  })
  for (const action of ['discard', 'bounce'] as const)
    app.delete(`/queue/${action}/:id`, async (c) => {
      await authorize(c)
      await markMessage(ctx, parseMessageId(c.req.param('id')), action)
      return c.body(null, 200)
    })

  // As tmail's router: a known path with another method is 405 with Allow; anything else 404.
  const allow: [string, string][] = [
    ['/ping', 'GET'],
    ['/users', 'GET'],
    ['/users/:login', 'DELETE, GET, POST, PUT'],
    ['/queue', 'GET'],
    ['/queue/:id', 'GET'],
    ['/queue/discard/:id', 'DELETE'],
    ['/queue/bounce/:id', 'DELETE'],
  ]
  for (const [path, methods] of allow)
    app.all(path, (c) => {
      if (c.req.method === 'OPTIONS') return c.body(null, 200, { Allow: `${methods}, OPTIONS` })
      throw tmailError('METHOD_NOT_ALLOWED', undefined, '', { Allow: `${methods}, OPTIONS` })
    })
}
