import {
  assertSmtpLoginFree,
  boundedPasswordHash,
  hashPassword,
  isPasswordHash,
  verifyPassword,
  z,
} from '@mailfront/core'
import { deleteMailResources } from '../cascade.ts'
import { errors } from '../errors.ts'
import { defineMethod } from '../method.ts'
import {
  AVAILABLE_MAIL_PLANS,
  MAIL_CAPABILITIES,
  MAIL_FIELDS,
  MAIL_PLANS,
  mailBrief,
  mailBriefView,
  mailObject,
  mailView,
  optionalAll,
} from '../objects.ts'
import { createNamed, requireDomain, requireMail } from '../scope.ts'
import { APP_PASSWORD, MAIL, type MailRow, SESSION } from '../store.ts'
import { newPassword } from './account.ts'

const address = z.string().email()
/**
 * A crypt-style hash as Dovecot writes it, with or without its `{SCHEME}` prefix; its work factor
 * within the core's bounds (bcrypt cost 4..12, SHA-512 crypt rounds 1000..25000), so that no login
 * can be made to cost minutes of CPU.
 */
const passwordHash = z
  .string()
  .transform((s) => s.replace(/^\{(SHA512-CRYPT|BLF-CRYPT|CRYPT)\}/i, ''))
  .refine(isPasswordHash, 'must be a SHA-512 crypt ($6$) or bcrypt ($2y$, $2a$, $2b$) hash')
  .superRefine(boundedPasswordHash)

/**
 * Levels that may set a hash: those that may create a mailbox (`mail.add`: admin, account, domain).
 * A mailbox changes its own password with `password`, which the password rules check; a hash would
 * bypass them. A reseller creates no mailboxes, so it provisions no hashes either.
 */
const HASH_LEVELS = ['admin', 'account', 'domain']

const optionalFields = optionalAll(MAIL_FIELDS)
const personal = (p: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(p).filter(([k, v]) => k in MAIL_FIELDS && v !== undefined))

async function passwordOf(p: { password?: string; password_hash?: string }) {
  return p.password_hash ?? (p.password ? await hashPassword(p.password) : undefined)
}

/** The documented legacy plans pass validation but are no longer sold: refused as live. */
function requireAvailablePlan(plan: string | undefined) {
  if (plan !== undefined && !(AVAILABLE_MAIL_PLANS as readonly string[]).includes(plan))
    throw errors.PLAN_NOT_AVAILABLE({ details: { plan, available: AVAILABLE_MAIL_PLANS.join(', ') } })
}

const SORT_FIELDS = [
  'mail',
  'first_name',
  'last_name',
  'status',
  'domain',
  'plan',
  'type',
  'creation_date',
] as const
type Brief = z.infer<typeof mailBrief>
const sortKey = (f: (typeof SORT_FIELDS)[number], m: Brief): string =>
  f === 'status' ? String(m.active) : f === 'creation_date' ? m.creation_date : String(m[f])

// Fields only an administrator of the mailbox (not the mailbox itself) may change.
const ADMIN_ONLY = [
  'plan',
  'active',
  'additional_mail_quota',
  'additional_cloud_quota',
  'deletion_date',
] as const

export const mailMethods = [
  defineMethod({
    name: 'mail.add',
    summary: 'Create a mail address in a domain of the account',
    access: ['account', 'domain'],
    params: z
      .object({
        ...optionalFields,
        mail: address,
        password: newPassword.optional(),
        password_hash: passwordHash.optional(),
        plan: z.enum(MAIL_PLANS),
        first_name: z.string(),
        last_name: z.string(),
        inboxsave: z.boolean(),
        forwards: z.array(address),
      })
      .refine((p) => (p.password === undefined) !== (p.password_hash === undefined), {
        message: 'give either password or password_hash',
        path: ['password'],
      }),
    result: mailObject,
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND', 'MAIL_EXISTS', 'PLAN_NOT_AVAILABLE'],
    async handler(p, call) {
      const mail = p.mail.toLowerCase()
      requireAvailablePlan(p.plan)
      const d = await requireDomain(call, mail.split('@')[1]!)
      // One SMTP login namespace: an address another provider logs in with already exists.
      await assertSmtpLoginFree(call.ctx, 'mailboxorg', mail, () => errors.MAIL_EXISTS())
      const row = await createNamed<MailRow>(
        call,
        MAIL,
        {
          mail,
          domain: d.domain,
          account: d.account,
          password_hash: await passwordOf(p),
          plan: p.plan,
          first_name: p.first_name,
          last_name: p.last_name,
          capabilities: d.capabilities,
          attrs: personal(p),
        },
        'MAIL_EXISTS',
      )
      return mailView(row)
    },
  }),
  defineMethod({
    name: 'mail.get',
    summary: 'A mail address',
    access: ['reseller', 'account', 'domain', 'mail'],
    params: z.object({ mail: z.string().min(1), include_quota_usage: z.boolean().optional() }),
    result: mailObject,
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      return mailView(await requireMail(call, mail))
    },
  }),
  defineMethod({
    name: 'mail.set',
    summary: 'Change a mail address; returns it as mail.get would',
    access: ['reseller', 'account', 'domain', 'mail'],
    params: z
      .object({
        mail: z.string().min(1),
        password: newPassword.optional(),
        password_hash: passwordHash.optional(),
        plan: z.enum(MAIL_PLANS).optional(),
        first_name: z.string().optional(),
        last_name: z.string().optional(),
        active: z.boolean().optional(),
        ...optionalFields,
      })
      .refine((p) => p.password === undefined || p.password_hash === undefined, {
        message: 'give either password or password_hash',
        path: ['password'],
      }),
    result: mailObject,
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'SAME_PASSWORD', 'PLAN_NOT_AVAILABLE'],
    async handler(p, call) {
      const m = await requireMail(call, p.mail)
      if (call.session!.level === 'mail' && ADMIN_ONLY.some((k) => p[k] !== undefined))
        throw errors.ACCESS_DENIED()
      requireAvailablePlan(p.plan)
      if (p.password_hash !== undefined && !HASH_LEVELS.includes(call.session!.level))
        throw errors.ACCESS_DENIED()
      const attrs = { ...m.attrs, ...personal(p) }
      if (p.password && !attrs.same_password_allowed && (await verifyPassword(p.password, m.password_hash)))
        throw errors.SAME_PASSWORD()
      const set: Record<string, unknown> = { attrs }
      for (const k of ['plan', 'first_name', 'last_name', 'active'] as const)
        if (p[k] !== undefined) set[k] = p[k]
      const hash = await passwordOf(p)
      if (hash) set.password_hash = hash
      const row = await call.ctx.storage.updateOne<MailRow>({
        model: MAIL,
        where: { field: 'id', value: m.id },
        set,
      })
      if (!row) throw errors.MAIL_NOT_FOUND()
      return mailView(row)
    },
  }),
  defineMethod({
    name: 'mail.del',
    summary: 'Delete a mail address',
    access: ['reseller', 'account', 'domain'],
    aliases: ['mail.delete'],
    params: z.object({ mail: z.string().min(1) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      const m = await requireMail(call, mail)
      await call.ctx.storage.transaction(async (tx) => {
        await tx.deleteMany({ model: SESSION, where: { field: 'principal', value: m.mail } })
        await tx.deleteMany({ model: APP_PASSWORD, where: { field: 'mail', value: m.mail } })
        await deleteMailResources(tx, m.account, [m.mail])
        await tx.deleteOne({ model: MAIL, where: { field: 'id', value: m.id } })
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.list',
    summary:
      'The mail addresses of a domain; paged ({totalHits, totalPages, results}) with page and page_size',
    access: ['reseller', 'account', 'domain'],
    params: z
      .object({
        domain: z.string().min(1),
        details: z.boolean().optional(),
        page_size: z.number().int().min(1).max(10_000).optional(),
        page: z.number().int().min(1).optional(),
        sort_field: z.enum(SORT_FIELDS).optional(),
        sort_order: z.enum(['asc', 'desc']).optional(),
      })
      .refine((p) => (p.page === undefined) === (p.page_size === undefined), {
        message: 'page and page_size go together',
        path: ['page'],
      }),
    result: z.union([
      z.array(z.union([mailObject, mailBrief])),
      z.object({
        totalHits: z.number().int(),
        totalPages: z.number().int(),
        results: z.array(z.union([mailObject, mailBrief])),
      }),
    ]),
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND'],
    async handler(p, call) {
      const d = await requireDomain(call, p.domain)
      const rows = await call.ctx.storage.findMany<MailRow>({
        model: MAIL,
        where: { field: 'domain', value: d.domain },
      })
      const field = p.sort_field ?? 'mail'
      const dir = p.sort_order === 'desc' ? -1 : 1
      const briefs = rows.map((r) => ({ row: r, brief: mailBriefView(r) }))
      briefs.sort(
        (a, b) =>
          dir *
          (sortKey(field, a.brief).localeCompare(sortKey(field, b.brief)) ||
            a.brief.mail.localeCompare(b.brief.mail)),
      )
      const view = (x: { row: MailRow; brief: Brief }) => (p.details ? mailView(x.row) : x.brief)
      if (p.page === undefined || p.page_size === undefined) return briefs.map(view)
      const start = (p.page - 1) * p.page_size
      return {
        totalHits: briefs.length,
        totalPages: Math.ceil(briefs.length / p.page_size),
        results: briefs.slice(start, start + p.page_size).map(view),
      }
    },
  }),
  defineMethod({
    name: 'mail.capabilities.set',
    summary: 'Set the capabilities of a mail address (an empty list clears)',
    access: ['reseller', 'account', 'domain'],
    params: z.object({ mail: z.string().min(1), capabilities: z.array(z.enum(MAIL_CAPABILITIES)) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, capabilities }, call) {
      const m = await requireMail(call, mail)
      await call.ctx.storage.updateOne({
        model: MAIL,
        where: { field: 'id', value: m.id },
        set: { capabilities: [...new Set(capabilities)] },
      })
      return true as const
    },
  }),
]
