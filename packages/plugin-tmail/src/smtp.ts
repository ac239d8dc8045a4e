import { CredentialCache, type PluginContext, type SmtpAuth, verifyPassword } from '@mailfront/core'
import { addSubmitted } from './live.ts'
import { findUser } from './users.ts'

/**
 * tmail on the submission port: active users with `AuthRelay` log in with their password (the
 * bcrypt `Passwd`) and may relay; what they send is listed by `GET /queue` until it is delivered.
 */
export function tmailSmtpAuth(ctx: PluginContext): SmtpAuth {
  const cache = new CredentialCache({ secret: `${ctx.secret}:tmail-smtp`, clock: ctx.clock })
  return {
    async authenticate(login, password) {
      const id = login.trim().toLowerCase()
      const u = id ? await findUser(ctx.storage, id) : null
      const stored = u?.auth_relay && u.active === 'Y' ? u.passwd : null
      const ok = await cache.verify(id, password, stored ?? '', async () => {
        ctx.events.slowHash('tmail')
        return (await verifyPassword(password, stored)) ? true : null
      })
      return ok && u && stored ? { principal: u.login } : null
    },
    async accepted(principal, message) {
      await addSubmitted(ctx.storage, principal, message)
    },
  }
}
