import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ApiError } from '../errors.ts'
import type { PluginContext, PluginEnv } from '../plugin.ts'
import { markRefusalCounted } from '../ratelimit/counted.ts'
import { safeEqual } from './compare.ts'
import { CredentialCache } from './credential-cache.ts'
import { type BasicCredentials, parseBasic, parseBearer } from './headers.ts'
import { type LoginOutcome, LoginThrottle, type LoginThrottleLimits } from './login-throttle.ts'
import { verifyPassword } from './passwords.ts'

export interface PasswordAuthOptions {
  /** The plugin id: the label of the `slowHash` and `authFailure` metrics. */
  plugin: string
  /** The throttle's key namespace and the cache's HMAC key (default: the plugin id). */
  scope?: string
  /** The login throttle's limits (`attempt`); the core defaults when omitted. */
  limits?: Partial<LoginThrottleLimits>
  /** Remember successful verifications for a short time, single-flight (default true). */
  cache?: boolean
  /** The plugin's error for a refused attempt (default: 429 RATE_LIMITED with Retry-After). */
  refused?: (retryAfterS: number) => Error
  /** The plugin's error for a wrong or missing credential (default: 401 UNAUTHORIZED). */
  denied?: () => Error
}

export interface PasswordAuth {
  /**
   * Check a password against a stored hash; an absent hash costs the same as a wrong password (dummy
   * hash). Counts `slowHash` for each hash actually computed. `subject` names the account (`invalidate`).
   * With `login`, the login must equal `subject` too: both are checked, so neither the answer nor its
   * cost tells which one was wrong.
   */
  verify(
    subject: string,
    password: string,
    stored: string | null | undefined,
    login?: string,
  ): Promise<boolean>
  /**
   * Run `check` (the principal, or null for any wrong credential) under the login throttle: answers the
   * principal, or throws `refused` (before any check) or `denied` (counted as an `authFailure`).
   * `from` is the client address, or the request to read it from. Only failures count.
   */
  attempt<T>(login: string, from: string | Context<PluginEnv>, check: () => Promise<T | null>): Promise<T>
  /** Count an `authFailure` and answer the error to throw: `err`, else `denied`. */
  failure(err?: Error): Error
  /** Forget the cached verifications of a subject (its password changed). */
  invalidate(subject: string): void
}

/** The client address the server saw ('local' outside a server, e.g. in tests). */
export const clientAddressOf = (c: Context<PluginEnv>): string => c.get('mailfront')?.ip ?? 'local'

/**
 * The one password check every plugin uses: the credential cache, the login throttle and the metrics,
 * wired once. Secrets are never logged, and never kept in clear (the cache keys are HMACs).
 */
export function passwordAuth(ctx: PluginContext, o: PasswordAuthOptions): PasswordAuth {
  const scope = o.scope ?? o.plugin
  const cache =
    o.cache === false ? null : new CredentialCache({ secret: `${ctx.secret}:${scope}`, clock: ctx.clock })
  let throttle: LoginThrottle | undefined
  const denied = o.denied ?? (() => new ApiError('UNAUTHORIZED', 401, 'Unauthorized'))
  const refused =
    o.refused ??
    ((s: number) =>
      new ApiError('RATE_LIMITED', 429, 'Too many failed logins', { headers: { 'Retry-After': String(s) } }))
  const failure = (err?: Error) => {
    ctx.events.authFailure(o.plugin)
    return err ?? denied()
  }
  const settle = <T>(outcome: LoginOutcome<T>): T => {
    // Already counted by the throttle's onRefused: the answer must not count it again.
    if (outcome.status === 'refused') throw markRefusalCounted(refused(outcome.retryAfterS))
    if (outcome.status === 'failed') throw failure()
    return outcome.value
  }
  return {
    verify(subject, password, stored, login) {
      const slow = async () => {
        ctx.events.slowHash(o.plugin)
        const loginOk = login === undefined || safeEqual(login, subject)
        const passwordOk = await verifyPassword(password, stored)
        return loginOk && passwordOk ? (true as const) : null
      }
      if (!cache) return slow().then(Boolean)
      const secret = login === undefined ? password : `${login}\u0000${password}`
      return cache.verify(subject, secret, stored ?? '', slow).then(Boolean)
    },
    // No await of its own: on the throttle's fast path the only wait is the check itself.
    attempt(login, from, check) {
      throttle ??= new LoginThrottle(ctx.rateLimits, {
        scope,
        limits: o.limits,
        clock: ctx.clock,
        onRefused: () => ctx.events.rateLimited(o.plugin),
      })
      const address = typeof from === 'string' ? from : clientAddressOf(from)
      return throttle.attempt(login, address, check).then(settle)
    },
    failure,
    invalidate: (subject) => cache?.invalidate(subject),
  }
}

type SchemeDef =
  | { type: 'basic'; description: string }
  | { type: 'bearer'; description: string; bearerFormat?: string }
  | { type: 'header'; header: string; description: string }

/**
 * An auth scheme described once: its OpenAPI `securitySchemes` entry, the `security` requirement
 * routes declare, and the reading of its credential from a request.
 */
export function defineAuthScheme<const N extends string, const D extends SchemeDef>(name: N, def: D) {
  // Key order as the docs print it.
  const openapi =
    def.type === 'header'
      ? { type: 'apiKey' as const, in: 'header' as const, name: def.header, description: def.description }
      : def.type === 'bearer' && def.bearerFormat !== undefined
        ? {
            type: 'http' as const,
            scheme: 'bearer',
            bearerFormat: def.bearerFormat,
            description: def.description,
          }
        : { type: 'http' as const, scheme: def.type, description: def.description }
  return {
    name,
    openapi,
    /** The requirement a route lists in its `security`. */
    security: { [name]: [] } as unknown as { [K in N]: string[] },
    /** Add the entry to the app's `components.securitySchemes`. */
    register(app: Pick<OpenAPIHono<PluginEnv>, 'openAPIRegistry'>) {
      app.openAPIRegistry.registerComponent('securitySchemes', name, openapi)
    },
    /** The credential of a request (header value): `{username, password}` for Basic, the token otherwise. */
    read(
      header: string | null | undefined,
    ): (D extends { type: 'basic' } ? BasicCredentials : string) | null {
      if (def.type === 'basic') return parseBasic(header) as never
      if (def.type === 'bearer') return parseBearer(header) as never
      return (header ?? null) as never
    },
  }
}

export type AuthScheme = ReturnType<typeof defineAuthScheme>
