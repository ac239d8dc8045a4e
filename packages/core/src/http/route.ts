import type { OpenAPIHono, RouteConfig, RouteConfigToTypedResponse } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { output, ZodType } from 'zod'
import type { PluginEnv } from '../plugin.ts'
import { andThen, oneHandler, type Step, validateStep } from './route-handler.ts'

type C = Context<PluginEnv>
type App = OpenAPIHono<PluginEnv>
type Out<S> = [S] extends [ZodType] ? output<S> : undefined
type Part<R, K extends string> = R extends { request?: infer Q }
  ? Q extends { [P in K]?: infer S }
    ? S
    : undefined
  : undefined
type BodySchema<R> = R extends { request?: { body?: { content: infer M } } }
  ? M[keyof M] extends { schema: infer S }
    ? S
    : undefined
  : undefined

/** What a route's handler gets, typed by the route's own schemas, once auth and validation passed. */
export interface RouteInput<R, A> {
  /** What the helper's `auth` returned (undefined for a route without `security`, or an anonymous one). */
  auth: A
  params: Out<Part<R, 'params'>>
  query: Out<Part<R, 'query'>>
  /** The body by the route's own decoder (its return type), else by the schema the docs show. */
  body: R extends { decode: { body: (...args: never[]) => infer T } } ? Awaited<T> : Out<BodySchema<R>>
}

/**
 * A handler's answer: where every response of the route declares its content, exactly those (status
 * and JSON body); otherwise any Response too (redirects, empty bodies, XML, a stream).
 */
export type RouteReply<R extends RouteConfig> = R extends {
  responses: { [status: number]: { content: { [media: string]: { schema: ZodType } } } }
}
  ? RouteConfigToTypedResponse<R>
  : RouteConfigToTypedResponse<R> | Response

/**
 * Reads a request's body the provider's own way (Go's JSON decoding for tmail, a form or JSON body
 * for SMTPD), returning the schema's output; it throws the plugin's own error. `schema` is the one the
 * docs show for the route.
 */
export type BodyDecoder = (c: C, schema: ZodType | undefined) => unknown | Promise<unknown>
/** Reads the query the provider's own way (its own error for a bad value). */
export type QueryDecoder = (c: C, schema: ZodType) => unknown

export interface Decoders {
  body?: BodyDecoder
  query?: QueryDecoder
}

/**
 * `typed` (the default): a handler answers what its route's responses declare (`c.json(body, 200)`).
 * `raw`: the plugin writes its wire bytes itself (Go's JSON, XML, a stream) and answers any Response.
 */
export type Answers = 'typed' | 'raw'

export interface RoutesOptions<A, N, W extends Answers = 'typed'> {
  answers?: W
  /**
   * The plugin's auth check, run on a route whose `security` has no anonymous alternative (`{}`),
   * before anything of the request is validated: a stranger or a role that may not act learns
   * nothing from a 400. `need` is the route's own (e.g. a permission).
   */
  auth?: (c: C, need: N | undefined) => Promise<A>
  /** Decoders for every route (a route's own `decode` wins); zod-openapi's validators otherwise. */
  decode?: Decoders
  /** The answer for a declared path asked with another method (`allow` lists its methods); unset: 404. */
  otherMethod?: (c: C, allow: string) => Response | Promise<Response>
}

export type RouteDef<N> = RouteConfig & {
  /** What `auth` is asked for this route (e.g. a role's permission). */
  need?: N
  /** Other paths the same handler answers, not in the docs (a trailing slash, `/v1` for `/v1/`). */
  aliases?: string[]
  decode?: Decoders
}

export type RouteHandlerOf<R extends RouteConfig, A, W extends Answers = 'typed'> = (
  c: C,
  input: RouteInput<R, A>,
) => W extends 'raw' ? Response | Promise<Response> : RouteReply<R> | Promise<RouteReply<R>>

interface AppRoutes {
  declared: Set<string>
  seal: (() => void)[]
}
const byApp = new WeakMap<object, AppRoutes>()
const routesOf = (app: object): AppRoutes => {
  const known = byApp.get(app)
  if (known) return known
  const r: AppRoutes = { declared: new Set(), seal: [] }
  byApp.set(app, r)
  return r
}
const routing = (path: string) => path.replaceAll(/\/{(.+?)}/g, '/:$1')
/** `<METHOD> <routing path>`, as Hono's `app.routes` lists a route. */
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`
type ValidReq = { valid(target: string): unknown }

/**
 * The one way a plugin declares its routes: `const route = defineRoutes(app, { auth, decode })`, then
 * `route(createRoute-style config, handler)`. One declaration is the docs (`/openapi.json`), the auth
 * check (first), the validation or decoding (typed into `input`), and the handler's typed answer.
 */
export function defineRoutes<A = undefined, N = never, W extends Answers = 'typed'>(
  app: App,
  opts: RoutesOptions<A, N, W> = {},
) {
  const state = routesOf(app)
  const allowed = new Map<string, Set<string>>()
  const otherMethod = opts.otherMethod
  if (otherMethod)
    state.seal.push(() => {
      for (const [path, methods] of allowed) {
        const allow = `${[...methods].sort().join(', ')}, OPTIONS`
        app.all(path, (c) => otherMethod(c, allow))
        state.declared.add(key('ALL', path))
      }
    })

  return function route<const R extends RouteDef<N>>(def: R, handler: RouteHandlerOf<R, A, W>): void {
    const { need, aliases = [], decode: own, ...config } = def
    const decode: Decoders = { ...opts.decode, ...own }
    const request = config.request
    const security = config.security
    const guarded = !!opts.auth && !!security?.length && !security.some((s) => !Object.keys(s).length)
    const mw: MiddlewareHandler<PluginEnv>[] = []
    if (guarded) {
      const auth = opts.auth!
      mw.push(async (c, next) => {
        c.set('principal', await auth(c as C, need))
        await next()
      })
    }
    // A decoded part leaves the validators: the docs keep its schema, the decoder reads it.
    const decodeBody = request?.body && decode.body
    const decodeQuery = request?.query && decode.query
    let runtime: RouteConfig = config
    if (decodeBody || decodeQuery) {
      const { body, query, ...rest } = request!
      runtime = { ...config, hide: true, request: { ...rest, ...(decodeQuery ? {} : { query }) } }
      if (!decodeBody && body) runtime.request!.body = body
      if (!config.hide) app.openAPIRegistry.registerPath(config)
      if (decodeQuery) {
        const q = request!.query as ZodType
        mw.push(async (c, next) => {
          c.req.addValidatedData('query', (await decode.query!(c as C, q)) as object)
          await next()
        })
      }
      if (decodeBody) {
        const media = Object.values(request!.body!.content)[0]
        const schema = media && 'schema' in media ? (media.schema as ZodType) : undefined
        mw.push(async (c, next) => {
          c.req.addValidatedData('json', (await decode.body!(c as C, schema)) as object)
          await next()
        })
      }
    }
    const bodyTarget = request?.body
      ? Object.keys(request.body.content).some((m) => /json/.test(m)) || decodeBody
        ? 'json'
        : 'form'
      : undefined
    const hasParams = !!request?.params
    const hasQuery = !!request?.query
    const run = (c: C) => {
      const req = c.req as unknown as ValidReq
      return handler(c, {
        auth: c.get('principal') as A,
        params: (hasParams ? req.valid('param') : undefined) as RouteInput<R, A>['params'],
        query: (hasQuery ? req.valid('query') : undefined) as RouteInput<R, A>['query'],
        body: (bodyTarget ? req.valid(bodyTarget) : undefined) as RouteInput<R, A>['body'],
      }) as Response | Promise<Response>
    }
    const single = oneHandlerFor(
      app,
      config,
      runtime.request,
      guarded && ((c) => opts.auth!(c, need)),
      decode,
    )
    if (single) {
      const h = oneHandler(single, run as (c: Context) => unknown)
      if (!config.hide && runtime === config) app.openAPIRegistry.registerPath(config)
      for (const p of [config.path, ...aliases]) app.on(config.method.toUpperCase(), routing(p), h as never)
    } else {
      const withMw = { ...runtime, ...(mw.length ? { middleware: mw } : {}) } as RouteConfig
      app.openapi(withMw, run as never)
      for (const alias of aliases) app.openapi({ ...withMw, path: alias, hide: true }, run as never)
    }
    for (const p of [config.path, ...aliases]) state.declared.add(key(config.method, routing(p)))
    const path = routing(config.path)
    for (const p of [path, ...aliases.map(routing)]) {
      const set = allowed.get(p) ?? new Set<string>()
      set.add(config.method.toUpperCase())
      allowed.set(p, set)
    }
  }
}

/**
 * The steps of a route as one handler (auth, decoders, the path and query validators), or undefined
 * when zod-openapi's own validators are needed (a header, cookie or body schema) or the app has no
 * default hook of its own (zod-openapi would look for a parent's at request time).
 */
function oneHandlerFor(
  app: App,
  config: RouteConfig,
  request: RouteConfig['request'],
  auth: false | ((c: C) => Promise<unknown>),
  decode: Decoders,
): Step[] | undefined {
  const hook = app.defaultHook as ((result: object, c: Context) => unknown) | undefined
  if (!hook || request?.headers || request?.cookies || request?.body) return undefined
  const steps: Step[] = []
  if (auth)
    steps.push((c) =>
      andThen(auth(c as C), (p) => {
        c.set('principal', p)
        return undefined
      }),
    )
  const own = config.request
  if (own?.query && !request?.query) {
    const q = own.query as ZodType
    steps.push((c) =>
      andThen(decode.query!(c as C, q), (v) => void c.req.addValidatedData('query', v as object)),
    )
  }
  const body = own?.body
  if (body) {
    const media = Object.values(body.content)[0]
    const schema = media && 'schema' in media ? (media.schema as ZodType) : undefined
    steps.push((c) =>
      andThen(decode.body!(c as C, schema), (v) => void c.req.addValidatedData('json', v as object)),
    )
  }
  // zod-openapi's order: the query, then the path.
  if (request?.query) steps.push(validateStep('query', request.query as ZodType, hook))
  if (request?.params) steps.push(validateStep('param', request.params as ZodType, hook))
  return steps
}

/** Run what the plugin's route helpers register last (405 answers); `buildPluginApp` calls it. */
export function sealRoutes(app: App): void {
  const state = byApp.get(app)
  if (!state) return
  for (const f of state.seal.splice(0)) f()
}

const coreHandlers = new WeakSet<object>()
/** Mark a handler the core itself registers on a plugin's app (its scope middleware, its 404). */
export function markCoreHandler<H extends object>(handler: H): H {
  coreHandlers.add(handler)
  return handler
}

/**
 * The routes of a plugin's app that were not declared through `defineRoutes` (nor by the core):
 * empty for every plugin (a test walks them).
 */
export function undeclaredRoutes(app: App): { method: string; path: string }[] {
  const declared = byApp.get(app)?.declared ?? new Set<string>()
  return app.routes
    .filter((r) => !coreHandlers.has(r.handler) && !declared.has(key(r.method, r.path)))
    .map((r) => ({ method: r.method, path: r.path }))
}
