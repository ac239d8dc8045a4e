import { z } from '@mailfront/core'
import { orderedCapabilities, POSSIBLE_CAPABILITIES } from './capabilities.ts'
import type { AccountRow, DomainRow, MailRow } from './store.ts'

// The objects the methods return, their zod schemas (docs) and the settable fields, declared once.

const str = z.string()

/** Every field of a record made optional, keeping the types. */
export function optionalAll<T extends Record<string, z.ZodType>>(
  fields: T,
): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as never
}
const bool = z.boolean()

export const ACCOUNT_PLANS = ['basic', 'profi', 'profixl', 'reseller'] as const
export const MAIL_PLANS = [
  'light',
  'standard',
  'premium',
  'MAIL',
  'MAILXL',
  'MAILXXL',
  'MAILXXXL',
  'Office',
  'OfficeXL',
  'OfficeXXL',
  'OfficeXXXL',
] as const
/**
 * The plans a mailbox can be given (`plansavailable`); the legacy ones above remain valid on stored
 * mailboxes (fixtures) but `mail.add` and `mail.set` refuse them.
 */
export const AVAILABLE_MAIL_PLANS = ['light', 'standard', 'premium'] as const
export {
  CAPABILITY_ORDER,
  DOMAIN_CAPABILITIES,
  MAIL_CAPABILITIES,
  orderedCapabilities,
  POSSIBLE_CAPABILITIES,
} from './capabilities.ts'

/** Optional account fields, flat as the methods take them; grouped by prefix in the account object. */
export const ACCOUNT_FIELDS = {
  company: str,
  ustid: str,
  language: str,
  memo: str,
  payment_type: z.enum(['dta', 'invoice']),
  max_mailinglist: z.number().int().nonnegative(),
  tarifflimits: z.record(z.string(), z.number()),
  telephone_password: str,
  contact_mail: str,
  contact_mail_payment: str,
  contact_phone: str,
  contact_fax: str,
  contact_mobile: str,
  address_main_salutation: z.enum(['herr', 'frau']),
  address_main_first_name: str,
  address_main_last_name: str,
  address_main_birthday: str,
  address_main_street: str,
  address_main_zipcode: str,
  address_main_town: str,
  address_main_country: str,
  address_payment_same_as_main: bool,
  address_payment_company: str,
  address_payment_first_name: str,
  address_payment_last_name: str,
  address_payment_street: str,
  address_payment_zipcode: str,
  address_payment_town: str,
  address_payment_country: str,
  bank_iban: str,
  bank_bic: str,
  bank_account_owner: str,
  av_contract_accept_name: str,
  av_contract_professional_secrecy: bool,
} as const

const GROUPS = ['address_main', 'address_payment', 'contact', 'bank', 'av_contract'] as const

export const accountObject = z
  .object({
    account: str,
    type: z.literal('BMBO'),
    status: z.enum(['aktiv', 'nopop', 'disabled', 'deleted']),
    plan: str,
    company: str,
    ustid: str,
    language: str,
    memo: str,
    payment_type: str,
    max_mailinglist: z.number().int(),
    tarifflimits: z.record(z.string(), z.number()),
    address_main: z.record(z.string(), z.unknown()),
    address_payment: z.record(z.string(), z.unknown()),
    contact: z.record(z.string(), z.unknown()),
    bank: z.record(z.string(), z.unknown()),
    av_contract: z.record(z.string(), z.unknown()),
  })
  .openapi('MailboxorgAccount')

export function accountView(a: AccountRow): z.infer<typeof accountObject> {
  const attrs = a.attrs
  const grouped: Record<string, Record<string, unknown>> = Object.fromEntries(GROUPS.map((g) => [g, {}]))
  grouped.address_payment!.same_as_main = true
  for (const [k, v] of Object.entries(attrs)) {
    const g = GROUPS.find((p) => k.startsWith(`${p}_`))
    if (g) grouped[g]![k.slice(g.length + 1)] = v
  }
  return {
    account: a.account,
    type: 'BMBO',
    status: a.status as 'aktiv',
    plan: a.plan,
    company: (attrs.company as string) ?? '',
    ustid: (attrs.ustid as string) ?? '',
    language: (attrs.language as string) ?? 'de_DE',
    memo: a.memo,
    payment_type: (attrs.payment_type as string) ?? 'invoice',
    max_mailinglist: (attrs.max_mailinglist as number) ?? 0,
    tarifflimits: (attrs.tarifflimits as Record<string, number>) ?? {},
    address_main: grouped.address_main!,
    address_payment: grouped.address_payment!,
    contact: grouped.contact!,
    bank: grouped.bank!,
    av_contract: grouped.av_contract!,
  }
}

export const domainObject = z
  .object({
    domain: str,
    account: str,
    context_id: str,
    memo: str,
    count_mails: z.number().int(),
    capabilities: z.array(str),
  })
  .openapi('MailboxorgDomain')

export const domainView = (d: DomainRow, countMails: number): z.infer<typeof domainObject> => ({
  domain: d.domain,
  account: d.account,
  context_id: d.context_id,
  memo: d.memo,
  count_mails: countMails,
  capabilities: orderedCapabilities(d.capabilities),
})

/** Mailbox fields beyond the columns: what `mail.add`/`mail.set` take and `mail.get` returns as sent. */
export const MAIL_FIELDS = {
  memo: str,
  forwards: z.array(z.string().email()),
  aliases: z.array(z.string().email()),
  alternate_mail: str,
  inboxsave: bool,
  allow_nets: str,
  catchall: bool,
  require_reset_password: bool,
  same_password_allowed: bool,
  additional_mail_quota: z.union([str, z.number()]).transform(String),
  additional_cloud_quota: z.union([str, z.number()]).transform(String),
  deletion_date: str,
  title: str,
  birthday: str,
  position: str,
  department: str,
  company: str,
  street: str,
  postal_code: str,
  city: str,
  phone: str,
  fax: str,
  cell_phone: str,
  uid_extern: str,
  language: str,
} as const

const MAIL_DEFAULTS: Record<string, unknown> = {
  memo: '',
  forwards: [],
  aliases: [],
  alternate_mail: '',
  inboxsave: true,
  allow_nets: '',
  catchall: false,
  require_reset_password: false,
  same_password_allowed: false,
  additional_mail_quota: '0',
  additional_cloud_quota: '0',
  deletion_date: '',
  title: '',
  birthday: '',
  position: '',
  department: '',
  company: '',
  street: '',
  postal_code: '',
  city: '',
  phone: '',
  fax: '',
  cell_phone: '',
  uid_extern: '',
  language: 'de_DE',
}

export const mailObject = z
  .object({
    mail: str,
    uid: str,
    parent_uid: str,
    domain: str,
    type: z.enum(['inbox', 'inboxforward', 'forward']),
    plan: str,
    plansavailable: z.array(str),
    first_name: str,
    last_name: str,
    active: bool,
    capabilities: z.array(str),
    possible_capabilities: z.array(str),
    creation_date: str,
    memo: str,
    forwards: z.array(str),
    aliases: z.array(str),
    alternate_mail: str,
    inboxsave: bool,
  })
  .catchall(z.unknown())
  .openapi('MailboxorgMail')

/** `mail.list` without `details`: the keys the live API returns (see the wire table). */
export const mailBrief = mailObject
  .pick({
    mail: true,
    parent_uid: true,
    domain: true,
    type: true,
    plan: true,
    first_name: true,
    last_name: true,
    memo: true,
    forwards: true,
    aliases: true,
    active: true,
    capabilities: true,
    possible_capabilities: true,
    creation_date: true,
  })
  .openapi('MailboxorgMailBrief')

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export function mailType(forwards: unknown[], inboxsave: boolean): 'inbox' | 'inboxforward' | 'forward' {
  if (!forwards.length) return 'inbox'
  return inboxsave ? 'inboxforward' : 'forward'
}

export function mailView(m: MailRow): z.infer<typeof mailObject> {
  const a = { ...MAIL_DEFAULTS, ...m.attrs }
  return {
    mail: m.mail,
    uid: m.mail,
    parent_uid: m.account,
    domain: m.domain,
    type: mailType(a.forwards as unknown[], a.inboxsave as boolean),
    plan: m.plan,
    plansavailable: [...AVAILABLE_MAIL_PLANS],
    first_name: m.first_name,
    last_name: m.last_name,
    active: m.active,
    capabilities: orderedCapabilities(m.capabilities),
    possible_capabilities: [...POSSIBLE_CAPABILITIES],
    creation_date: date(m.created_at),
    ...a,
  } as z.infer<typeof mailObject>
}

export function mailBriefView(m: MailRow): z.infer<typeof mailBrief> {
  const v = mailView(m)
  return {
    mail: v.mail,
    parent_uid: v.parent_uid,
    domain: v.domain,
    type: v.type,
    plan: v.plan,
    first_name: v.first_name,
    last_name: v.last_name,
    memo: v.memo,
    forwards: v.forwards,
    aliases: v.aliases,
    active: v.active,
    capabilities: v.capabilities,
    possible_capabilities: v.possible_capabilities,
    creation_date: v.creation_date,
  }
}
