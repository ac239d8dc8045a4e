import { hashPassword, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { defineMethod } from '../method.ts'
import { createNamed, requireMail } from '../scope.ts'
import { ADDITIONAL_ACCOUNT, type AdditionalAccountRow } from '../store-resources.ts'

// Additional mail accounts: another mailbox (here or elsewhere) linked into a parent mailbox, as
// the webmail shows them. The link and its settings are kept; the password only as a hash.

const LEVELS = ['account', 'domain', 'mail'] as const
const host = z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name')
const port = z
  .union([z.string().regex(/^\d{1,5}$/), z.number().int()])
  .transform(String)
  .refine((p) => Number(p) >= 1 && Number(p) <= 65_535, 'a port, 1 to 65535')
const folder = z.string().min(1).max(255)

/** The settings with the webmail's defaults, in the order the Python client sends them. */
const SETTINGS = {
  primary_address: z.string().email().optional(),
  mail_server: host.default('imap.mailbox.org'),
  mail_port: port.default('993'),
  mail_secure: z.boolean().default(true),
  mail_starttls: z.boolean().default(false),
  transport_server: host.default('smtp.mailbox.org'),
  transport_port: port.default('465'),
  transport_secure: z.boolean().default(true),
  transport_starttls: z.boolean().default(false),
  trash_folder: folder.default('Trash'),
  sent_folder: folder.default('Sent'),
  drafts_folder: folder.default('Drafts'),
  spam_folder: folder.default('Junk'),
}

const accountObject = z.object({
  account_mail: z.string(),
  primary_address: z.string(),
  mail_server: z.string(),
  mail_port: z.string(),
  mail_secure: z.boolean(),
  mail_starttls: z.boolean(),
  transport_server: z.string(),
  transport_port: z.string(),
  transport_secure: z.boolean(),
  transport_starttls: z.boolean(),
  trash_folder: z.string(),
  sent_folder: z.string(),
  drafts_folder: z.string(),
  spam_folder: z.string(),
})

const DEFAULTS: Record<string, unknown> = z.object(SETTINGS).parse({})

/** Every setting, in order, the defaults filling what a fixture left out. */
const view = (a: AdditionalAccountRow) =>
  ({
    account_mail: a.account_mail,
    ...Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, a.settings[k] ?? DEFAULTS[k]])),
    primary_address: (a.settings.primary_address as string | undefined) ?? a.account_mail,
  }) as z.infer<typeof accountObject>

export const additionalMethods = [
  defineMethod({
    name: 'additionalmailaccount.list',
    summary: 'The additional mail accounts linked into a mailbox',
    access: LEVELS,
    params: z.object({ parent_mail: z.string().min(1) }),
    // The live answer lists the addresses (the Python client checks `sub in additional_accounts`);
    // the settings of each link are ours, under `details` (wire.ts).
    result: z.object({
      parent_mail: z.string(),
      additional_accounts: z.array(z.string()),
      details: z.array(accountObject),
    }),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ parent_mail }, call) {
      const m = await requireMail(call, parent_mail)
      const rows = await call.ctx.storage.findMany<AdditionalAccountRow>({
        model: ADDITIONAL_ACCOUNT,
        where: { field: 'parent_mail', value: m.mail },
        sort: [{ field: 'account_mail' }],
      })
      return {
        parent_mail: m.mail,
        additional_accounts: rows.map((r) => r.account_mail),
        details: rows.map(view),
      }
    },
  }),
  defineMethod({
    name: 'additionalmailaccount.add',
    summary: 'Link another mail account into a mailbox (IMAP and SMTP settings)',
    access: LEVELS,
    params: z.object({
      parent_mail: z.string().min(1),
      new_account_mail: z.string().email(),
      new_account_password: z.string().min(1).max(1024),
      ...SETTINGS,
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'ADDITIONAL_ACCOUNT_EXISTS'],
    async handler({ parent_mail, new_account_mail, new_account_password, ...settings }, call) {
      const m = await requireMail(call, parent_mail)
      const account_mail = new_account_mail.toLowerCase()
      if (account_mail === m.mail) throw errors.ADDITIONAL_ACCOUNT_EXISTS()
      const ordered = Object.fromEntries(
        Object.keys(SETTINGS)
          .map((k) => [k, settings[k as keyof typeof settings]])
          .filter(([, v]) => v !== undefined),
      )
      await createNamed(
        call,
        ADDITIONAL_ACCOUNT,
        {
          parent_mail: m.mail,
          account_mail,
          password_hash: await hashPassword(new_account_password),
          settings: ordered,
        },
        'ADDITIONAL_ACCOUNT_EXISTS',
      )
      return true as const
    },
  }),
  defineMethod({
    name: 'additionalmailaccount.delete',
    summary: 'Unlink an additional mail account from a mailbox',
    access: LEVELS,
    aliases: ['additionalmailaccount.del'],
    params: z.object({ parent_mail: z.string().min(1), account_mail: z.string().min(1) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'ADDITIONAL_ACCOUNT_NOT_FOUND'],
    async handler({ parent_mail, account_mail }, call) {
      const m = await requireMail(call, parent_mail)
      const gone = await call.ctx.storage.deleteMany({
        model: ADDITIONAL_ACCOUNT,
        where: {
          and: [
            { field: 'parent_mail', value: m.mail },
            { field: 'account_mail', value: account_mail.trim().toLowerCase() },
          ],
        },
      })
      if (!gone) throw errors.ADDITIONAL_ACCOUNT_NOT_FOUND()
      return true as const
    },
  }),
]
