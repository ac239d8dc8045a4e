import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { input, output, ZodType } from 'zod'
import type { Clock } from './clock.ts'
import type { PluginDemo } from './demo.ts'
import type { ApiError, ErrorDef } from './errors.ts'
import type { LocalDelivery, MailService, SmtpAuth } from './mail.ts'
import type { OptionsSchema } from './options.ts'
import type { RateLimitDef } from './ratelimit/declare.ts'
import type { RateLimitStore } from './ratelimit/types.ts'
import type { PluginMount } from './scope.ts'
import type { SmtpLoginNamespace } from './smtp-logins.ts'
import type { ModelSchema, StorageAdapter } from './storage/types.ts'

/** What the host app tells a plugin about the request: `c.get('mailfront')` (unset in a bare test app). */
export interface RequestInfo {
  requestId: string
  /** The request reached us over TLS (or through a trusted proxy that says so). */
  secure: boolean
  /** Client address (the proxy's X-Forwarded-For when trusted). */
  ip: string
  /**
   * The request body as the plugin read it (set by readBodyText, or from the body a validator parsed),
   * kept by reference for the server's request log: no copy on the hot path.
   */
  body?: string | Promise<unknown>
}

/** Hono's env of every plugin route: request data in typed `Variables`, set by the host app's router. */
export type PluginEnv = {
  Bindings: Record<string, unknown>
  Variables: {
    mailfront?: RequestInfo
    /** Where the plugin that answers is mounted (set on its own paths by `routePluginApp`). */
    mount?: PluginMount
    /**
     * Who the request authenticated as: what the route helper's `auth` returned, set before the
     * request is validated; a handler gets it typed as its `auth` input.
     */
    principal?: unknown
  }
}

export interface Logger {
  debug(obj: object | string, msg?: string): void
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
  child?(bindings: object): Logger
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Counters a plugin reports to the server's metrics. */
export interface PluginEvents {
  authFailure(pluginId: string): void
  /**
   * A request refused for a rate. Not for a `RATE_LIMITED` error a route throws: the core counts
   * that one when it answers it; call this for a refusal answered otherwise (a JSON-RPC error body).
   */
  rateLimited(pluginId: string): void
  /** A slow password hash was computed to check a credential (the cache missed; a dummy hash for an unknown name counts too). */
  slowHash(pluginId: string): void
}

/**
 * What every hook of a plugin gets. `O` is the plugin's parsed options (from its zod schema), `S` the
 * state its `setup` returned: built once, before `routes`, read everywhere else.
 */
export interface PluginContext<O = Record<string, unknown>, S = unknown> {
  storage: StorageAdapter
  rateLimits: RateLimitStore
  clock: Clock
  log: Logger
  /** Server secret: JWT signing and credential-cache HMAC keys. */
  secret: string
  /** The plugin's options, parsed by its schema (`MAILFRONT_<PLUGIN>_<OPTION>` by camelCase key). */
  options: O
  /** What the plugin's `setup` returned (undefined for a plugin without one). */
  state: S
  events: PluginEvents
  /** Reject plain-HTTP requests in the plugin's own error format. */
  requireHttps: boolean
  /** Request body limit in bytes. */
  bodyLimit: number
  /** The mail pipeline, when the host composes one (mailfront's server always does). */
  mail?: MailService
  /** The SMTP port's one login namespace over every mounted plugin (see assertSmtpLoginFree). */
  smtpLogins?: SmtpLoginNamespace
}

/** A management command a plugin contributes to the `mailfront` CLI (framework-free). */
export interface CommandDef<C extends PluginContext = PluginContext> {
  /** Words after `mailfront`, e.g. `['authsmtp', 'account', 'create']`. */
  path: string[]
  description: string
  args?: { name: string; description: string; optional?: boolean }[]
  options?: { flag: string; description: string; default?: string }[]
  run(ctx: C, args: string[], opts: Record<string, string | boolean | undefined>): Promise<unknown>
}

export interface FixturesDef<T = unknown, C extends PluginContext = PluginContext> {
  /** Validates the plugin's section of a fixtures file. */
  schema: ZodType<T>
  /** Idempotent: upsert by natural key. */
  load(ctx: C, data: T): Promise<{ upserted: number }>
  /** Everything the plugin stores, secrets as stored hashes (valid input to `load`). */
  export(ctx: C): Promise<T>
  /**
   * The SMTP logins the document would hold (as the plugin's SmtpAuth matches them): the host refuses
   * a document giving another plugin's SMTP login, before anything is loaded.
   */
  smtpLogins?(data: T): string[]
}

/** Type a plugin's fixtures by their schema: `load` gets the parsed data. */
export function defineFixtures<Sch extends ZodType, C extends PluginContext = PluginContext>(def: {
  schema: Sch
  load(ctx: C, data: output<Sch>): Promise<{ upserted: number }>
  export(ctx: C): Promise<input<Sch>>
  smtpLogins?(data: output<Sch>): string[]
}): FixturesDef<output<Sch>, C> {
  return def as unknown as FixturesDef<output<Sch>, C>
}

/** A plugin's typed options: its schema's output (none without a schema). */
export type OptionsOf<Sch> = Sch extends OptionsSchema ? output<Sch> : Record<string, never>
type Ctx<Sch, S> = PluginContext<OptionsOf<Sch>, S>
// Shared definitions typed with a wider context (`CommandDef[]`) never widen the state `setup` gives.
type Wide<Sch, S> = NoInfer<Ctx<Sch, S>>

/**
 * How a plugin answers HTTP: where it lives (paths, public hostnames), its routes, its errors and
 * their wire format, and its documentation. `C` is the plugin's context.
 */
export interface PluginHttp<C extends PluginContext = PluginContext> {
  /** Path namespaces the plugin owns at its native root, e.g. `['/restful/*']`. */
  paths: string[]
  /**
   * The provider's public API hostnames (`api.smtpd.dev`): requests with this Host reach the plugin
   * at its native paths, and the server's certificate, HTTPS proxy and DNS responder cover them.
   */
  hostnames?: string[]
  /** Register every route on the plugin's own app. Called once, before mounting. */
  routes(app: OpenAPIHono<PluginEnv>, ctx: C): void
  /** The plugin's error codes; the core's shared codes are merged in (see `defineErrors`). */
  errors: Record<string, ErrorDef>
  /** Render any error in the provider's wire format; `ctx` carries the options and state. */
  renderError(err: ApiError, c: Context<PluginEnv>, ctx: C): Response
  /** Answer for a path in the plugin's namespace that matches no route (default: the table's NOT_FOUND). */
  notFound?(c: Context<PluginEnv>): Response
  docs: { kind: 'openapi' | 'openrpc'; title: string; description?: string }
  /** OpenRPC document, for JSON-RPC plugins. */
  openrpc?(ctx: C): object
}

/** What a plugin adds to the `mailfront` CLI. */
export interface PluginCli<C extends PluginContext = PluginContext> {
  commands: CommandDef<C>[]
}

/** What a plugin stores, how a fixtures file fills it, and the demo data a first start loads. */
export interface PluginData<C extends PluginContext = PluginContext> {
  /** The plugin's tables, each named `<id>_…`; migrated additively at start. */
  models?: ModelSchema
  fixtures?: FixturesDef<unknown, C>
  /** The plugin's demo data (valid for its fixtures schema), loaded on a first start, and how to try it. */
  demo?: PluginDemo
}

/** What a plugin takes part in on the mail pipeline. */
export interface PluginMail<C extends PluginContext = PluginContext> {
  /** Logins this plugin accepts on the SMTP submission port, and what it allows them. */
  smtpAuth?(ctx: C): SmtpAuth
  /** The addresses this plugin hosts (its mailboxes): who may write to them, what delivery does. */
  localDelivery?(ctx: C): LocalDelivery
}

/**
 * A provider plugin, one facet at a time: who it is (`id`, `version`, `summary`), its `options` and
 * the state `setup` builds from them, then what it does over `http`, on the `cli`, with its `data`
 * and on the `mail` pipeline, the `rateLimits` it enforces, and its lifecycle hooks (`init`, `start`, `close`).
 */
export interface PluginDef<Sch extends OptionsSchema | undefined = OptionsSchema | undefined, S = unknown> {
  id: string
  version: string
  /** One line for the plugin's group in `mailfront --help`. */
  summary?: string
  /** The plugin's options; the server reads, checks and documents `MAILFRONT_<ID>_<KEY>` from it. */
  options?: Sch
  /** Build the plugin's state once from its context (options parsed), before anything else runs. */
  setup?(ctx: PluginContext<OptionsOf<Sch>, undefined>): S
  http: PluginHttp<Ctx<Sch, S>>
  cli?: PluginCli<Wide<Sch, S>>
  data?: PluginData<Wide<Sch, S>>
  mail?: PluginMail<Wide<Sch, S>>
  /** The rate limits it enforces (its code reads their windows): listed by `--help` and the README. */
  rateLimits?: RateLimitDef<NoInfer<OptionsOf<Sch>>>[]
  /** Once per process, after the models are migrated and before serving (or a CLI command). */
  init?(ctx: Ctx<Sch, S>): Promise<void>
  /** Background work for a serving process (never for one-shot CLI commands); returns its stop. */
  start?(ctx: Ctx<Sch, S>): () => Promise<void>
  /** Release what the plugin holds (read it from `ctx.state`): on shutdown, plugins in reverse order. */
  close?(ctx: Ctx<Sch, S>): Promise<void>
}

/** A plugin as the server holds it, whatever its options and state. */
export type MailfrontPlugin = PluginDef<OptionsSchema | undefined, unknown>

/** Type-check a plugin object: its hooks get its parsed options and its setup's state. */
export function definePlugin<Sch extends OptionsSchema | undefined = undefined, S = undefined>(
  plugin: PluginDef<Sch, S>,
): PluginDef<Sch, S> {
  return plugin
}
