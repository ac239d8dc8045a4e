import { assertSmtpLoginFree, hashPassword, UniqueViolationError, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { defineMethod } from '../method.ts'
import { mailObject, mailView } from '../objects.ts'
import { requireAccount } from '../scope.ts'
import { DOMAIN, type DomainRow, MAIL, type MailRow } from '../store.ts'
import { TOKEN } from '../store-resources.ts'
import { findRegistration } from '../tokens.ts'
import { newPassword } from './account.ts'

const LANGUAGES = { de: 'de_DE', en: 'en_US', fr: 'fr_FR' } as const

export const mailExtraMethods = [
  defineMethod({
    name: 'mail.register',
    summary: 'Create a mailbox with a registration token handed out for its domain (no session)',
    access: 'anonymous',
    params: z.object({
      token: z.string().min(1).max(256),
      mail: z.string().email(),
      password: newPassword,
      alternate_mail: z.string().email().optional(),
      first_name: z.string().max(128),
      last_name: z.string().max(128),
      lang: z.enum(['de', 'en', 'fr']).optional(),
    }),
    result: z.literal(true),
    errors: ['INVALID_TOKEN', 'MAIL_EXISTS'],
    async handler(p, call) {
      const db = call.ctx.storage
      const mail = p.mail.toLowerCase()
      const t = await findRegistration(db, p.token, call.ctx.clock.now())
      // A token for another domain reads as a bad token: it names nothing here.
      if (!t || t.subject !== mail.split('@')[1]) throw errors.INVALID_TOKEN()
      const d = await db.findOne<DomainRow>({ model: DOMAIN, where: { field: 'domain', value: t.subject } })
      if (!d) throw errors.INVALID_TOKEN()
      // One SMTP login namespace: an address another provider logs in with already exists.
      await assertSmtpLoginFree(call.ctx, 'mailboxorg', mail, () => errors.MAIL_EXISTS())
      const attrs: Record<string, unknown> = { language: LANGUAGES[p.lang ?? 'de'] }
      if (p.alternate_mail) attrs.alternate_mail = p.alternate_mail
      const data = {
        mail,
        domain: d.domain,
        account: d.account,
        password_hash: await hashPassword(p.password),
        plan: t.plan ?? 'standard',
        first_name: p.first_name,
        last_name: p.last_name,
        capabilities: d.capabilities,
        attrs,
        created_at: call.ctx.clock.now(),
      }
      // Single use: the token is spent in the transaction that creates the mailbox, so two
      // concurrent registrations cannot both use it, and a taken address leaves it unspent.
      await db.transaction(async (tx) => {
        if (!(await tx.deleteOne({ model: TOKEN, where: { field: 'id', value: t.id } })))
          throw errors.INVALID_TOKEN()
        try {
          await tx.create({ model: MAIL, data })
        } catch (e) {
          if (e instanceof UniqueViolationError) throw errors.MAIL_EXISTS()
          throw e
        }
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.externaluid',
    summary: 'The mailbox of an account with this external uid (uid_extern)',
    access: ['reseller', 'account'],
    params: z.object({ account: z.string().min(1), uid_extern: z.string().min(1).max(256) }),
    result: mailObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAIL_NOT_FOUND'],
    async handler({ account, uid_extern }, call) {
      const a = await requireAccount(call, account)
      // uid_extern lives in the mailbox's attributes: scanned per account (thousands of rows at most).
      const rows = await call.ctx.storage.findMany<MailRow>({
        model: MAIL,
        where: { field: 'account', value: a.account },
        sort: [{ field: 'mail' }],
      })
      const m = rows.find((r) => r.attrs.uid_extern === uid_extern)
      if (!m) throw errors.MAIL_NOT_FOUND()
      return mailView(m)
    },
  }),
]
