import {
  CredentialCache,
  LoginThrottle,
  loginLimitsOf,
  type PluginContext,
  type PluginEnv,
  parseBasic,
  safeEqual,
  verifyPassword,
} from '@mailfront/core'
import type { Context } from 'hono'
import { exampleError } from './errors.ts'
import type { ExampleOptions } from './options.ts'
import { ADMIN, ADMIN_NAME, type AdminRow } from './store.ts'

// The whole auth scheme lives in this file, so that it can move to a core scheme in one edit.

export const REALM = 'Basic realm="example"'

/**
 * HTTP Basic against the stored admin credential (fixtures `admin`, `mailfront example admin set`).
 * Slow hashes are paid once per credential (the core's cache); failed logins go through the core's
 * login throttle, so a refused client gets 429 before any check.
 */
export function adminAuth(ctx: PluginContext<ExampleOptions>) {
  const cache = new CredentialCache({ secret: `${ctx.secret}:example`, clock: ctx.clock })
  const throttle = new LoginThrottle(ctx.rateLimits, {
    scope: 'example',
    limits: loginLimitsOf(ctx.options),
    clock: ctx.clock,
    onRefused: () => ctx.events.rateLimited('example'),
  })
  const challenge = ctx.options.challenge ? { 'WWW-Authenticate': REALM } : undefined
  const denied = () => {
    ctx.events.authFailure('example')
    return exampleError('UNAUTHORIZED', challenge ? { headers: challenge } : {})
  }
  return async function authorize(c: Context<PluginEnv>): Promise<void> {
    const cred = parseBasic(c.req.header('authorization'))
    if (!cred) throw exampleError('UNAUTHORIZED', challenge ? { headers: challenge } : {})
    const outcome = await throttle.attempt(cred.username, c.env?.mailfront?.ip ?? 'local', async () => {
      const admin = await ctx.storage.findOne<AdminRow>({
        model: ADMIN,
        where: { field: 'name', value: ADMIN_NAME },
      })
      // No admin yet: the same slow check as a wrong password, so the answer's cost tells nothing.
      const stored = admin?.password_hash ?? ''
      return cache.verify(admin?.login ?? '', `${cred.username}\u0000${cred.password}`, stored, async () => {
        ctx.events.slowHash('example')
        const passwordOk = await verifyPassword(cred.password, stored)
        return admin && safeEqual(cred.username, admin.login) && passwordOk ? true : null
      })
    })
    if (outcome.status === 'refused')
      throw exampleError('TOO_MANY_ATTEMPTS', { headers: { 'Retry-After': String(outcome.retryAfterS) } })
    if (outcome.status === 'failed') throw denied()
  }
}
