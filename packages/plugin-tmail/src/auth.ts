import {
  defineAuthScheme,
  hashPassword,
  loginLimitsOf,
  type PluginContext,
  type PluginEnv,
  passwordAuth,
} from '@mailfront/core'
import type { Context } from 'hono'
import { errors, raw } from './errors.ts'
import type { TmailOptions } from './options.ts'
import { admin as stored } from './store.ts'

export const REALM = 'Basic realm="tmail REST server"'
export const adminScheme = defineAuthScheme('tmailBasic', {
  type: 'basic',
  description: 'The admin credential (demo: admin / admin).',
})
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
        const value = stored
          .get(ctx)
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
  const auth = passwordAuth(ctx, {
    plugin: 'tmail',
    limits: loginLimitsOf(opts),
    denied: () => errors.UNAUTHORIZED(),
    refused: (s) => errors.TOO_MANY_ATTEMPTS(raw('', { 'Retry-After': String(s) })),
  })
  return async function authorize(c: Context<PluginEnv>): Promise<void> {
    const header = c.req.header('authorization')
    if (header === undefined) throw errors.UNAUTHORIZED(raw('', { 'WWW-Authenticate': REALM }))
    const cred = adminScheme.read(header)
    if (!cred) throw auth.failure()
    await auth.attempt(cred.username, c, async () => {
      const a = await admin.get()
      // The login is checked with the password: the answer and its cost do not tell which was wrong.
      return a && (await auth.verify(a.login, cred.password, a.hash, cred.username)) ? true : null
    })
  }
}
