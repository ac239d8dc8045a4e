import { type PluginContext, passwordAuth, type SmtpAuth } from '@mailfront/core'
import { addSubmitted } from './live.ts'
import { findUser } from './users.ts'

/**
 * tmail on the submission port: active users with `AuthRelay` log in with their password (the
 * bcrypt `Passwd`) and may relay; what they send is listed by `GET /queue` until it is delivered.
 */
export function tmailSmtpAuth(ctx: PluginContext): SmtpAuth {
  // Users, not the admin: a cache of their own. The server throttles SMTP logins.
  const auth = passwordAuth(ctx, { plugin: 'tmail', scope: 'tmail-smtp' })
  return {
    async hasLogin(login) {
      const id = login.trim().toLowerCase()
      return !!id && !!(await findUser(ctx.storage, id))
    },
    async authenticate(login, password) {
      const id = login.trim().toLowerCase()
      const u = id ? await findUser(ctx.storage, id) : null
      const stored = u?.auth_relay && u.active === 'Y' ? u.passwd : null
      const ok = await auth.verify(id, password, stored)
      return ok && u && stored ? { principal: u.login } : null
    },
    async accepted(principal, message) {
      await addSubmitted(ctx.storage, principal, message)
    },
  }
}
