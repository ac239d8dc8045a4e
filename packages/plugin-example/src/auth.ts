import {
  defineAuthScheme,
  loginLimitsOf,
  type PluginContext,
  type PluginEnv,
  passwordAuth,
} from '@mailfront/core'
import type { Context } from 'hono'
import { exampleError } from './errors.ts'
import type { ExampleOptions } from './options.ts'
import { ADMIN, ADMIN_NAME, type AdminRow } from './store.ts'

export const REALM = 'Basic realm="example"'

/** The scheme the routes' `security` names; the docs' `securitySchemes` entry comes from it. */
export const adminScheme = defineAuthScheme('exampleBasic', {
  type: 'basic',
  description: 'The admin credential (fixtures `admin`, or `mailfront example admin set`)',
})

/**
 * HTTP Basic against the stored admin credential (fixtures `admin`, `mailfront example admin set`),
 * through the core's password toolkit: a slow hash once per credential (cache, single-flight), the
 * login throttle counting failures only (429 before any check), the auth metrics.
 */
export function adminAuth(ctx: PluginContext<ExampleOptions>) {
  const challenge = ctx.options.challenge ? { headers: { 'WWW-Authenticate': REALM } } : {}
  const auth = passwordAuth(ctx, {
    plugin: 'example',
    limits: loginLimitsOf(ctx.options),
    denied: () => exampleError('UNAUTHORIZED', challenge),
    refused: (s) => exampleError('TOO_MANY_ATTEMPTS', { headers: { 'Retry-After': String(s) } }),
  })
  return async function authorize(c: Context<PluginEnv>): Promise<void> {
    const cred = adminScheme.read(c.req.header('authorization'))
    if (!cred) throw exampleError('UNAUTHORIZED', challenge)
    await auth.attempt(cred.username, c, async () => {
      const admin = await ctx.storage.findOne<AdminRow>({
        model: ADMIN,
        where: { field: 'name', value: ADMIN_NAME },
      })
      // No admin yet: the same slow check (a dummy hash) as a wrong password, so the cost tells nothing.
      const ok = await auth.verify(admin?.login ?? '', cred.password, admin?.password_hash, cred.username)
      return admin && ok ? true : null
    })
  }
}
