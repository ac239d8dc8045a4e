import { type PluginContext, passwordAuth, type SmtpAuth } from '@mailfront/core'
import { APP_PASSWORD, type AppPasswordRow, MAIL, type MailRow } from './store.ts'

/**
 * mailbox.org on the submission port: the login is the mailbox address; the password is the
 * mailbox's own or one of its app passwords allowed for SMTP. An inactive mailbox is refused
 * (with the same answer as a wrong password, so a login never tells which mailboxes exist).
 */
export function mailboxorgSmtpAuth(ctx: PluginContext): SmtpAuth {
  // The server throttles SMTP logins; this caches the slow hashes (single-flight).
  const { verify: check } = passwordAuth(ctx, { plugin: 'mailboxorg', scope: 'mailboxorg-smtp' })
  return {
    async hasLogin(login) {
      const mail = login.trim().toLowerCase()
      return !!mail && !!(await ctx.storage.findOne({ model: MAIL, where: { field: 'mail', value: mail } }))
    },
    async authenticate(login, password) {
      const mail = login.trim().toLowerCase()
      const m = mail
        ? await ctx.storage.findOne<MailRow>({ model: MAIL, where: { field: 'mail', value: mail } })
        : null
      const usable = m?.active ? m : null
      if (usable?.password_hash && (await check(mail, password, usable.password_hash)))
        return { principal: usable.mail }
      const apps = usable
        ? await ctx.storage.findMany<AppPasswordRow>({
            model: APP_PASSWORD,
            where: {
              and: [
                { field: 'mail', value: usable.mail },
                { field: 'smtp_allowed', value: true },
              ],
            },
          })
        : []
      for (const a of apps)
        if (await check(`${mail}#${a.id}`, password, a.password_hash)) return { principal: mail }
      // Unknown, inactive or without any password: one slow hash all the same.
      if (!usable?.password_hash && !apps.length) await check(mail, password, null)
      return null
    },
  }
}
