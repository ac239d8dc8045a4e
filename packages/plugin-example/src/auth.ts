import {
  defineAuthScheme,
  loginLimitsOf,
  type PluginContext,
  type PluginEnv,
  passwordAuth,
} from '@mailfront/core'
import type { Context } from 'hono'
import { ERRORS } from './errors.ts'
import type { ExampleOptions } from './options.ts'
import { admin } from './store.ts'

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
    denied: () => ERRORS.UNAUTHORIZED(challenge),
    refused: (s) => ERRORS.TOO_MANY_ATTEMPTS({ headers: { 'Retry-After': String(s) } }),
  })
  return async function authorize(c: Context<PluginEnv>): Promise<void> {
    const header = c.req.header('authorization')
    // No header: the challenge, nothing counted (a client's first try); a malformed one is a failure.
    if (header === undefined) throw ERRORS.UNAUTHORIZED(challenge)
    const cred = adminScheme.read(header)
    if (!cred) throw auth.failure()
    await auth.attempt(cred.username, c, async () => {
      const row = await admin.get(ctx)
      // No admin yet: the same slow check (a dummy hash) as a wrong password, so the cost tells nothing.
      const ok = await auth.verify(row?.login ?? '', cred.password, row?.password_hash, cred.username)
      return row && ok ? true : null
    })
  }
}
