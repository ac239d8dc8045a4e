import {
  CredentialCache,
  hashPassword,
  LoginThrottle,
  loginLimitsOf,
  type PluginContext,
  type PluginEnv,
  parseBasic,
  safeEqual,
  verifyPassword,
} from '@mailfront/core'
import type { Context } from 'hono'
import { tmailError } from './errors.ts'
import type { TmailOptions } from './options.ts'
import { ADMIN, type AdminRow } from './store.ts'

export const REALM = 'Basic realm="tmail REST server"'
export const ADMIN_NAME = 'rest'
/** How long a stored admin credential is reused before it is read again (a CLI change shows up after it). */
const ADMIN_TTL_MS = 1_000

export interface Admin {
  login: string
  hash: string
  source: 'env' | 'store'
}

/** The admin credential: the environment's when set, else the stored one, read at most once a second. */
export function adminSource(ctx: PluginContext, opts: TmailOptions) {
  let envAdmin: Promise<Admin> | undefined
  let cached: { at: number; value: Promise<Admin | null> } | undefined
  return {
    get(): Promise<Admin | null> {
      if (opts.adminLogin !== undefined && opts.adminPassword !== undefined) {
        envAdmin ??= hashPassword(opts.adminPassword).then((hash) => ({
          login: opts.adminLogin!,
          hash,
          source: 'env' as const,
        }))
        return envAdmin
      }
      const now = ctx.clock.now()
      if (!cached || now - cached.at >= ADMIN_TTL_MS) {
        const value = ctx.storage
          .findOne<AdminRow>({ model: ADMIN, where: { field: 'name', value: ADMIN_NAME } })
          .then((r) => (r ? { login: r.login, hash: r.password_hash, source: 'store' as const } : null))
        value.catch(() => {
          cached = undefined
        })
        cached = { at: now, value }
      }
      return cached.value
    },
    forget() {
      cached = undefined
    },
  }
}

/**
 * tmail's Basic check: a challenge only when the header is missing; anything malformed or wrong is a
 * plain 401. Slow hashes are paid once per credential (cache, single-flight); failed logins go through
 * the core's login throttle (403 "too many authentication attempts" with Retry-After, before any check).
 */
export function adminAuth(ctx: PluginContext, opts: TmailOptions, admin: ReturnType<typeof adminSource>) {
  const cache = new CredentialCache({ secret: `${ctx.secret}:tmail`, clock: ctx.clock })
  const throttle = new LoginThrottle(ctx.rateLimits, {
    scope: 'tmail',
    limits: loginLimitsOf(opts),
    clock: ctx.clock,
    onRefused: () => ctx.events.rateLimited('tmail'),
  })
  const denied = () => {
    ctx.events.authFailure('tmail')
    return tmailError('UNAUTHORIZED')
  }
  return async function authorize(c: Context<PluginEnv>): Promise<void> {
    const header = c.req.header('authorization')
    if (header === undefined) throw tmailError('UNAUTHORIZED', undefined, '', { 'WWW-Authenticate': REALM })
    const cred = parseBasic(header)
    if (!cred) throw denied()
    const outcome = await throttle.attempt(cred.username, c.get('mailfront')?.ip ?? 'local', async () => {
      const a = await admin.get()
      if (!a) return null
      return cache.verify(a.login, `${cred.username}\u0000${cred.password}`, a.hash, async () => {
        ctx.events.slowHash('tmail')
        // Both checks always run: the answer and its cost do not tell which part was wrong.
        const loginOk = safeEqual(cred.username, a.login)
        const passwordOk = await verifyPassword(cred.password, a.hash)
        return loginOk && passwordOk ? true : null
      })
    })
    if (outcome.status === 'refused')
      throw tmailError('TOO_MANY_ATTEMPTS', undefined, '', { 'Retry-After': String(outcome.retryAfterS) })
    if (outcome.status === 'failed') throw denied()
  }
}
