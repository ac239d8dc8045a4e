import { boundedPasswordHash, defineFixtures, type PluginContext, upsertOne, z } from '@mailfront/core'
import { hashed, lower, secret, section, utcStamp, utcTime } from './fixtures-fields.ts'
import { exportResources, loadResources, resourceSections } from './fixtures-resources.ts'
import {
  ACCOUNT_FIELDS,
  ACCOUNT_PLANS,
  DOMAIN_CAPABILITIES,
  MAIL_CAPABILITIES,
  MAIL_FIELDS,
  MAIL_PLANS,
  optionalAll,
} from './objects.ts'
import {
  ACCOUNT,
  type AccountRow,
  APP_PASSWORD,
  type AppPasswordRow,
  DOMAIN,
  type DomainRow,
  MAIL,
  MAILING_LIST,
  type MailExtras,
  type MailingListRow,
  type MailRow,
  OPERATOR,
  type OperatorRow,
} from './store.ts'

export const fixturesSchema = z
  .object({
    operators: section({
      name: z.string().min(1),
      password: secret,
      level: z.enum(['admin', 'reseller']),
      memo: z.string().default(''),
    }),
    accounts: section({
      account: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/),
      password: secret,
      plan: z.enum(ACCOUNT_PLANS),
      reseller: z.string().optional(),
      status: z.enum(['aktiv', 'nopop', 'disabled', 'deleted']).default('aktiv'),
      ...optionalAll(ACCOUNT_FIELDS),
    }),
    domains: section({
      domain: z.string().min(4),
      account: z.string().min(1),
      password: secret.optional(),
      context_id: z.string().default(''),
      memo: z.string().default(''),
      capabilities: z.array(z.enum(DOMAIN_CAPABILITIES)).default([]),
    }),
    mails: section({
      mail: z.string().email(),
      password: secret.optional().describe('omit for an address that cannot log in'),
      plan: z.enum(MAIL_PLANS).default('standard'),
      first_name: z.string().default(''),
      last_name: z.string().default(''),
      active: z.boolean().default(true),
      capabilities: z.array(z.enum(MAIL_CAPABILITIES)).default([]),
      created_at: utcTime('00:00:00')
        .optional()
        .describe(
          'creation time (UTC); the daily backups start at the first 02:00 after it; default: load time',
        ),
      backups: z
        .array(utcTime('02:00:00'))
        .optional()
        .describe(
          'the backups mail.backup.list offers (UTC; a date alone is 02:00), instead of the daily schedule',
        ),
      ...optionalAll(MAIL_FIELDS),
      extras: z
        .object({
          blacklist: z.array(z.string()).optional(),
          spamprotect: z.record(z.string(), z.unknown()).optional(),
          vacation: z.record(z.string(), z.unknown()).optional(),
        })
        .strict()
        .optional()
        .describe('blacklist, spam protection and vacation notice'),
    }),
    mailing_lists: section({
      mailinglist: z.string().min(1),
      account: z.string().min(1),
      password: secret,
      adminmail: z.string().default(''),
    }),
    app_passwords: section({
      id: z.number().int().positive(),
      mail: z.string().email(),
      memo: z.string(),
      password: z
        .string()
        .min(1)
        .superRefine(boundedPasswordHash)
        .describe('a bcrypt hash (as exported) or in clear'),
      imap_allowed: z.boolean().default(true),
      smtp_allowed: z.boolean().default(true),
    }),
    ...resourceSections,
  })
  .strict()
export type MailboxorgFixtures = z.infer<typeof fixturesSchema>
// The store keeps plans, statuses, capabilities and attributes as plain strings and JSON; they were
// validated by these types when written (fixtures, the CLI or the API), so export reads them back as such.
type Exported = z.input<typeof fixturesSchema>
type AccountOut = NonNullable<Exported['accounts']>[number]
type DomainOut = NonNullable<Exported['domains']>[number]
type MailOut = NonNullable<Exported['mails']>[number]

const upsert = (
  ctx: PluginContext,
  model: string,
  field: string,
  value: unknown,
  set: Record<string, unknown>,
) => upsertOne(ctx.storage, { model, key: { field, value }, set })

const pick = (o: Record<string, unknown>, keys: object) =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => k in keys && k !== 'memo' && v !== undefined))

/** Backups live in the mailbox's extras (newest first, no duplicates); the other extras as given. */
const withBackups = (extras: MailExtras, backups: number[] | undefined): MailExtras =>
  backups ? { ...extras, backups: [...new Set(backups)].sort((a, b) => b - a) } : extras
const extrasOut = (extras: MailExtras | null) => {
  const { backups: _, ...rest } = extras ?? {}
  return Object.keys(rest).length ? { extras: rest } : {}
}

export const fixtures = defineFixtures({
  schema: fixturesSchema,
  smtpLogins: (data) => data.mails.map((m) => lower(m.mail)),
  async load(ctx, data) {
    const now = ctx.clock.now()
    for (const o of data.operators)
      await upsert(ctx, OPERATOR, 'name', lower(o.name), {
        password_hash: await hashed(o.password),
        level: o.level,
        memo: o.memo,
      })
    for (const a of data.accounts)
      await upsert(ctx, ACCOUNT, 'account', lower(a.account), {
        password_hash: await hashed(a.password),
        plan: a.plan,
        reseller: a.reseller ? lower(a.reseller) : null,
        status: a.status,
        memo: a.memo ?? '',
        attrs: pick(a, ACCOUNT_FIELDS),
        created_at: now,
      })
    for (const d of data.domains)
      await upsert(ctx, DOMAIN, 'domain', lower(d.domain), {
        account: lower(d.account),
        password_hash: await hashed(d.password),
        context_id: d.context_id,
        memo: d.memo,
        capabilities: d.capabilities,
        created_at: now,
      })
    for (const m of data.mails) {
      const mail = lower(m.mail)
      const domain = mail.split('@')[1]!
      const d = await ctx.storage.findOne<DomainRow>({
        model: DOMAIN,
        where: { field: 'domain', value: domain },
      })
      if (!d)
        throw new Error(`mailboxorg.mails: ${mail}: no domain ${domain} (list it under mailboxorg.domains)`)
      await upsert(ctx, MAIL, 'mail', mail, {
        domain,
        account: d.account,
        password_hash: await hashed(m.password),
        plan: m.plan,
        first_name: m.first_name,
        last_name: m.last_name,
        active: m.active,
        capabilities: m.capabilities,
        attrs: pick(m, MAIL_FIELDS),
        extras: m.extras || m.backups ? withBackups(m.extras ?? {}, m.backups) : null,
        created_at: m.created_at ?? now,
      })
    }
    for (const l of data.mailing_lists)
      await upsert(ctx, MAILING_LIST, 'name', lower(l.mailinglist), {
        account: lower(l.account),
        password_hash: await hashed(l.password),
        adminmail: l.adminmail,
        created_at: now,
      })
    for (const a of data.app_passwords)
      await upsert(ctx, APP_PASSWORD, 'id', a.id, {
        mail: lower(a.mail),
        memo: a.memo,
        password_hash: await hashed(a.password),
        imap_allowed: a.imap_allowed,
        smtp_allowed: a.smtp_allowed,
        created_at: now,
      })
    const n = [
      data.operators,
      data.accounts,
      data.domains,
      data.mails,
      data.mailing_lists,
      data.app_passwords,
    ]
    const more = await loadResources(ctx, data)
    return { upserted: n.reduce((sum, list) => sum + list.length, more) }
  },
  async export(ctx) {
    const all = <T extends { id: unknown }>(model: string, field: string) =>
      ctx.storage.findMany<T & { id: string }>({ model, sort: [{ field }] })
    const operators = await all<OperatorRow>(OPERATOR, 'name')
    const accounts = await all<AccountRow>(ACCOUNT, 'account')
    const domains = await all<DomainRow>(DOMAIN, 'domain')
    const mails = await all<MailRow>(MAIL, 'mail')
    const lists = await all<MailingListRow>(MAILING_LIST, 'name')
    const appPasswords = await all<AppPasswordRow>(APP_PASSWORD, 'id')
    return {
      operators: operators.map((o) => ({
        name: o.name,
        password: o.password_hash,
        level: o.level,
        memo: o.memo,
      })),
      accounts: accounts.map((a) => ({
        account: a.account,
        password: a.password_hash,
        plan: a.plan as AccountOut['plan'],
        ...(a.reseller ? { reseller: a.reseller } : {}),
        status: a.status as AccountOut['status'],
        memo: a.memo,
        ...(a.attrs as Partial<AccountOut>),
      })),
      domains: domains.map((d) => ({
        domain: d.domain,
        account: d.account,
        ...(d.password_hash ? { password: d.password_hash } : {}),
        context_id: d.context_id,
        memo: d.memo,
        capabilities: d.capabilities as DomainOut['capabilities'],
      })),
      mails: mails.map((m) => ({
        mail: m.mail,
        ...(m.password_hash ? { password: m.password_hash } : {}),
        plan: m.plan as MailOut['plan'],
        first_name: m.first_name,
        last_name: m.last_name,
        active: m.active,
        capabilities: m.capabilities as MailOut['capabilities'],
        created_at: utcStamp(m.created_at),
        ...(m.extras?.backups ? { backups: m.extras.backups.map(utcStamp) } : {}),
        ...(m.attrs as Partial<MailOut>),
        ...extrasOut(m.extras),
      })),
      mailing_lists: lists.map((l) => ({
        mailinglist: l.name,
        account: l.account,
        password: l.password_hash,
        adminmail: l.adminmail,
      })),
      app_passwords: appPasswords.map((a) => ({
        id: Number(a.id),
        mail: a.mail,
        memo: a.memo,
        password: a.password_hash,
        imap_allowed: a.imap_allowed,
        smtp_allowed: a.smtp_allowed,
      })),
      ...(await exportResources(ctx)),
    }
  },
})
