import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ZodType } from 'zod'
import type { Clock } from './clock.ts'
import type { ApiError, ErrorDef } from './errors.ts'
import type { LocalDelivery, MailService, SmtpAuth } from './mail.ts'
import type { RateLimitStore } from './ratelimit/types.ts'
import type { ModelSchema, StorageAdapter } from './storage/types.ts'

/** What the server passes to a plugin app through `c.env.mailfront`. */
export interface RequestInfo {
  requestId: string
  /** The request reached us over TLS (or through a trusted proxy that says so). */
  secure: boolean
  /** Client address (the proxy's X-Forwarded-For when trusted). */
  ip: string
  /** Path prefix the plugin is mounted under ('' at its native paths), for absolute URLs it returns. */
  basePath?: string
  /**
   * The request body as the plugin read it (set by readBodyText, or from the body a validator parsed),
   * kept by reference for the server's request log: no copy on the hot path.
   */
  body?: string | Promise<unknown>
}

export type PluginEnv = {
  Bindings: { mailfront?: RequestInfo } & Record<string, unknown>
  Variables: { principal?: unknown }
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
  rateLimited(pluginId: string): void
  /** A slow password hash was computed to check a credential (the cache missed; a dummy hash for an unknown name counts too). */
  slowHash(pluginId: string): void
}

export interface PluginContext {
  storage: StorageAdapter
  rateLimits: RateLimitStore
  clock: Clock
  log: Logger
  /** Server secret: JWT signing and credential-cache HMAC keys. */
  secret: string
  /** The plugin's own options (`MAILFRONT_<PLUGIN>_<OPTION>`), by lower-case option name. */
  options: Record<string, string | undefined>
  events: PluginEvents
  /** Reject plain-HTTP requests in the plugin's own error format. */
  requireHttps: boolean
  /** Request body limit in bytes. */
  bodyLimit: number
  /** The mail pipeline, when the host composes one (mailfront's server always does). */
  mail?: MailService
}

/** A management command a plugin contributes to the `mailfront` CLI (framework-free). */
export interface CommandDef {
  /** Words after `mailfront`, e.g. `['authsmtp', 'account', 'create']`. */
  path: string[]
  description: string
  args?: { name: string; description: string; optional?: boolean }[]
  options?: { flag: string; description: string; default?: string }[]
  run(
    ctx: PluginContext,
    args: string[],
    opts: Record<string, string | boolean | undefined>,
  ): Promise<unknown>
}

export interface FixturesDef<T = unknown> {
  /** Validates the plugin's section of a fixtures file. */
  schema: ZodType<T>
  /** Idempotent: upsert by natural key. */
  load(ctx: PluginContext, data: T): Promise<{ upserted: number }>
  /** Everything the plugin stores, secrets as stored hashes. */
  export(ctx: PluginContext): Promise<T>
}

export interface MailfrontPlugin {
  id: string
  version: string
  /** Path namespaces the plugin owns at its native root, e.g. `['/restful/*']`. */
  paths: string[]
  models?: ModelSchema
  errors: Record<string, ErrorDef>
  /** Render any error in the provider's wire format. */
  renderError(err: ApiError, c: Context<PluginEnv>): Response
  /** Answer for a path in the plugin's namespace that matches no route. */
  notFound?(c: Context<PluginEnv>): Response
  docs: { kind: 'openapi' | 'openrpc'; title: string; description?: string }
  /** Register every route on the plugin's own app. Called once, before mounting. */
  routes(app: OpenAPIHono<PluginEnv>, ctx: PluginContext): void
  /** OpenRPC document, for JSON-RPC plugins. */
  openrpc?(ctx: PluginContext): object
  commands?: CommandDef[]
  /** Logins this plugin accepts on the SMTP submission port, and what it allows them. */
  smtpAuth?(ctx: PluginContext): SmtpAuth
  /** The addresses this plugin hosts (its mailboxes): who may write to them, what delivery does. */
  localDelivery?(ctx: PluginContext): LocalDelivery
  fixtures?: FixturesDef<any>
  init?(ctx: PluginContext): Promise<void>
  /** Background work for a serving process (never for one-shot CLI commands); returns its stop. */
  start?(ctx: PluginContext): () => Promise<void>
  close?(): Promise<void>
}

/** Identity helper that type-checks a plugin object literal. */
export function definePlugin<P extends MailfrontPlugin>(plugin: P): P {
  return plugin
}
