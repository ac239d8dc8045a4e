import { hashPassword, randomSecret, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { mailInScope, requireMail } from '../scope.ts'
import { APP_PASSWORD, type AppPasswordRow, MAIL, type MailExtras, type MailRow } from '../store.ts'

// A mailbox's sub-resources: blacklist, spam protection, vacation notice and app passwords.
const LEVELS = ['account', 'domain', 'mail'] as const
const address = z.string().email()
const mailParam = { mail: z.string().min(1) }

async function setExtras(call: Call, m: MailRow, patch: Partial<MailExtras>) {
  await call.ctx.storage.updateOne({
    model: MAIL,
    where: { field: 'id', value: m.id },
    set: { extras: { ...(m.extras ?? {}), ...patch } },
  })
}

const blacklistOf = (m: MailRow) => m.extras?.blacklist ?? []
const flag = z.enum(['0', '1'])

export const SPAMPROTECT_DEFAULTS = {
  greylist: '1',
  smtp_plausibility: '1',
  rbl: '1',
  bypass_banned_checks: '0',
  tag2level: 5.5,
  killevel: 'route',
  route_to: 'Spam',
}
const spamprotect = z.object({
  greylist: flag,
  smtp_plausibility: flag,
  rbl: flag,
  bypass_banned_checks: flag,
  tag2level: z.union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ]),
  killevel: z.enum(['reject', 'route']),
  route_to: z.string(),
})

const date = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'YYYY-MM-DD')
const vacation = z.object({
  subject: z.string().min(1),
  body: z.string().default(''),
  start_date: date,
  end_date: date,
  additional_mail_addresses: z.array(address).default([]),
})
const VACATION_NONE = { subject: '', body: '', start_date: '', end_date: '', additional_mail_addresses: [] }

const appPasswordView = (a: AppPasswordRow) => ({
  id: Number(a.id),
  memo: a.memo,
  imap_allowed: a.imap_allowed,
  smtp_allowed: a.smtp_allowed,
  created: new Date(a.created_at).toISOString().slice(0, 19).replace('T', ' '),
})
const appPassword = z.object({
  id: z.number().int(),
  memo: z.string(),
  imap_allowed: z.boolean(),
  smtp_allowed: z.boolean(),
  created: z.string(),
})

export const mailboxMethods = [
  defineMethod({
    name: 'mail.blacklist.list',
    summary: 'The addresses blocked for a mailbox',
    access: LEVELS,
    params: z.object(mailParam),
    result: z.array(z.string()),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    handler: async ({ mail }, call) => blacklistOf(await requireMail(call, mail)),
  }),
  defineMethod({
    name: 'mail.blacklist.add',
    summary: 'Block an address; returns the whole blacklist',
    access: LEVELS,
    params: z.object({ ...mailParam, add_address: z.string().min(3) }),
    result: z.array(z.string()),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, add_address }, call) {
      const m = await requireMail(call, mail)
      const list = [...new Set([...blacklistOf(m), add_address.trim().toLowerCase()])]
      await setExtras(call, m, { blacklist: list })
      return list
    },
  }),
  defineMethod({
    name: 'mail.blacklist.del',
    summary: 'Unblock an address; returns the whole blacklist',
    access: LEVELS,
    aliases: ['mail.blacklist.delete'],
    params: z.object({ ...mailParam, delete_address: z.string().min(1) }),
    result: z.array(z.string()),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, delete_address }, call) {
      const m = await requireMail(call, mail)
      const list = blacklistOf(m).filter((a) => a !== delete_address.trim().toLowerCase())
      await setExtras(call, m, { blacklist: list })
      return list
    },
  }),
  defineMethod({
    name: 'mail.spamprotect.get',
    summary: 'The spam protection settings of a mailbox',
    access: LEVELS,
    params: z.object(mailParam),
    result: spamprotect.extend({ tag2level: z.number() }),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      const m = await requireMail(call, mail)
      return { ...SPAMPROTECT_DEFAULTS, ...(m.extras?.spamprotect ?? {}) } as never
    },
  }),
  defineMethod({
    name: 'mail.spamprotect.set',
    summary: 'Set the spam protection of a mailbox (every setting is required); returns them',
    access: LEVELS,
    params: z.object({ ...mailParam, ...spamprotect.shape }),
    result: spamprotect.extend({ tag2level: z.number() }),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, ...settings }, call) {
      const m = await requireMail(call, mail)
      await setExtras(call, m, { spamprotect: settings })
      return settings as never
    },
  }),
  defineMethod({
    name: 'mail.vacation.get',
    summary: 'The vacation notice of a mailbox (empty fields when none is set)',
    access: LEVELS,
    params: z.object(mailParam),
    result: z.object({
      subject: z.string(),
      body: z.string(),
      start_date: z.string(),
      end_date: z.string(),
      additional_mail_addresses: z.array(z.string()),
    }),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      const m = await requireMail(call, mail)
      return { ...VACATION_NONE, ...(m.extras?.vacation ?? {}) } as never
    },
  }),
  defineMethod({
    name: 'mail.vacation.set',
    summary: 'Set the vacation notice of a mailbox',
    access: LEVELS,
    params: z.object({ ...mailParam, ...vacation.shape }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, ...notice }, call) {
      if (notice.end_date < notice.start_date) throw errors.INVALID_DATES()
      await setExtras(call, await requireMail(call, mail), { vacation: notice })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.apppassword.list',
    summary: 'The app passwords of a mailbox (never the passwords)',
    access: LEVELS,
    params: z.object(mailParam),
    result: z.array(appPassword),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      const m = await requireMail(call, mail)
      const rows = await call.ctx.storage.findMany<AppPasswordRow>({
        model: APP_PASSWORD,
        where: { field: 'mail', value: m.mail },
      })
      return rows.map(appPasswordView)
    },
  }),
  defineMethod({
    name: 'mail.apppassword.add',
    summary: 'Create an app password (IMAP/SMTP); the password is shown only in this answer',
    access: LEVELS,
    params: z.object({
      ...mailParam,
      memo: z.string().min(1).max(200),
      imap_allowed: z.boolean().default(true),
      smtp_allowed: z.boolean().default(true),
    }),
    result: appPassword.extend({ password: z.string() }),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, memo, imap_allowed, smtp_allowed }, call) {
      const m = await requireMail(call, mail)
      const password = randomSecret(18)
      const row = await call.ctx.storage.create<AppPasswordRow>({
        model: APP_PASSWORD,
        data: {
          mail: m.mail,
          memo,
          password_hash: await hashPassword(password),
          imap_allowed,
          smtp_allowed,
          created_at: call.ctx.clock.now(),
        },
      })
      return { ...appPasswordView(row), password }
    },
  }),
  defineMethod({
    name: 'mail.apppassword.del',
    summary: 'Delete an app password',
    access: LEVELS,
    aliases: ['mail.apppassword.delete'],
    params: z.object({ id: z.number().int().positive() }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'APP_PASSWORD_NOT_FOUND'],
    async handler({ id }, call) {
      const a = await call.ctx.storage.findOne<AppPasswordRow>({
        model: APP_PASSWORD,
        where: { field: 'id', value: id },
      })
      const m = a
        ? await call.ctx.storage.findOne<MailRow>({ model: MAIL, where: { field: 'mail', value: a.mail } })
        : null
      // Ids are counted, so a missing one and another tenant's answer alike (scope before existence).
      if (!a && call.session!.level === 'admin') throw errors.APP_PASSWORD_NOT_FOUND()
      if (!m || !(await mailInScope(call, m))) throw errors.ACCESS_DENIED()
      await call.ctx.storage.deleteOne({ model: APP_PASSWORD, where: { field: 'id', value: id } })
      return true as const
    },
  }),
]
