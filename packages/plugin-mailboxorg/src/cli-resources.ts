import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type CommandDef, UniqueViolationError } from '@mailfront/core'
import { invoiceToken } from './invoice-files.ts'
import { MAIL_PLANS } from './objects.ts'
import type { MailboxorgContext } from './setup.ts'
import { ACCOUNT, type AccountRow, DOMAIN, type DomainRow } from './store.ts'
import { INVOICE, type InvoiceRow, SMS, type SmsRow } from './store-resources.ts'
import { issueRegistrationToken } from './tokens.ts'

// What the API cannot create: invoices, registration tokens; and the SMS outbox to read codes from.

const DAY_MS = 86_400_000
const str = (v: unknown) => (v === undefined || v === false ? undefined : String(v))

function amountOf(v: string | undefined): number {
  if (v === undefined || !/^-?\d+(\.\d{1,2})?$/.test(v))
    throw new Error(`--amount must be a sum in euros like 12.50, got "${v ?? ''}"`)
  return Number(v)
}

export const resourceCommands: CommandDef<MailboxorgContext>[] = [
  {
    path: ['mailboxorg', 'invoice', 'add'],
    description: 'Add an invoice to an account (its PDF, CSV and XML are generated unless --pdf is given)',
    args: [{ name: 'account', description: 'account name' }],
    options: [
      { flag: '--amount <euros>', description: 'total in euros, VAT included (e.g. 12.50)' },
      { flag: '--id <invoice id>', description: 'invoice number (default: BMBO-<5 digits>-<yy>)' },
      { flag: '--date <YYYY-MM-DD>', description: 'invoice date (default: today)' },
      { flag: '--status <status>', description: 'open, paid, storniert…', default: 'open' },
      { flag: '--payment-type <type>', description: 'invoice or dta', default: 'invoice' },
      { flag: '--pdf <file>', description: 'a PDF file to serve instead of the generated one' },
    ],
    async run(ctx, [account], o) {
      const a = await ctx.storage.findOne<AccountRow>({
        model: ACCOUNT,
        where: { field: 'account', value: account!.trim().toLowerCase() },
      })
      if (!a) throw new Error(`no account "${account}"`)
      const now = ctx.clock.now()
      const date = str(o.date) ?? new Date(now).toISOString().slice(0, 10)
      if (!/^\d{4}-\d\d-\d\d$/.test(date) || Number.isNaN(Date.parse(date)))
        throw new Error(`--date must be YYYY-MM-DD, got "${date}"`)
      const files: Record<string, string> = {}
      const pdf = str(o.pdf)
      if (pdf) {
        const bytes = readFileSync(pdf)
        if (!bytes.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new Error(`${pdf} is not a PDF file`)
        files.pdf = bytes.toString('base64')
      }
      const given = str(o.id)
      if (given !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(given))
        throw new Error(`--id must be letters, digits, . _ -, got "${given}"`)
      for (let attempt = 0; ; attempt++) {
        const invoice_id = given ?? `BMBO-${randomInt(10_000, 100_000)}-${date.slice(2, 4)}`
        try {
          const row = await ctx.storage.create<InvoiceRow>({
            model: INVOICE,
            data: {
              invoice_id,
              account: a.account,
              date,
              amount: amountOf(str(o.amount)),
              payment_type: str(o.paymentType) ?? 'invoice',
              status: str(o.status) ?? 'open',
              files,
              created_at: now,
            },
          })
          return {
            invoice_id: row.invoice_id,
            account: row.account,
            token: invoiceToken(ctx.secret, invoice_id),
          }
        } catch (e) {
          if (!(e instanceof UniqueViolationError)) throw e
          if (given || attempt >= 5) throw new Error(`invoice "${invoice_id}" already exists`)
        }
      }
    },
  },
  {
    path: ['mailboxorg', 'invoice', 'list'],
    description: 'List invoices (of one account when given), with their download tokens',
    args: [{ name: 'account', description: 'account name', optional: true }],
    async run(ctx, [account]) {
      const rows = await ctx.storage.findMany<InvoiceRow>({
        model: INVOICE,
        ...(account ? { where: { field: 'account', value: account.trim().toLowerCase() } } : {}),
        sort: [{ field: 'account' }, { field: 'date' }],
      })
      return rows.map((i) => ({
        invoice_id: i.invoice_id,
        account: i.account,
        date: i.date,
        amount: i.amount,
        status: i.status,
        token: invoiceToken(ctx.secret, i.invoice_id),
      }))
    },
  },
  {
    path: ['mailboxorg', 'register-token', 'add'],
    description: 'Create a token that lets mail.register create one mailbox in a domain (printed once)',
    args: [{ name: 'domain', description: 'domain name' }],
    options: [
      { flag: '--plan <plan>', description: MAIL_PLANS.slice(0, 3).join(', '), default: 'standard' },
      { flag: '--expires-days <n>', description: 'days until it expires (default: never)' },
    ],
    async run(ctx, [domain], o) {
      const d = await ctx.storage.findOne<DomainRow>({
        model: DOMAIN,
        where: { field: 'domain', value: domain!.trim().toLowerCase() },
      })
      if (!d) throw new Error(`no domain "${domain}"`)
      const plan = str(o.plan) ?? 'standard'
      if (!MAIL_PLANS.includes(plan as never))
        throw new Error(`--plan must be one of ${MAIL_PLANS.join(', ')}`)
      const days = str(o.expiresDays)
      if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days))
        throw new Error('--expires-days must be a whole number ≥ 1')
      const now = ctx.clock.now()
      const expiresAt = days ? now + Number(days) * DAY_MS : null
      const token = await issueRegistrationToken(ctx.storage, { domain: d.domain, plan, expiresAt }, now)
      return {
        domain: d.domain,
        plan,
        token,
        expires_at: expiresAt ? new Date(expiresAt).toISOString() : 'never',
      }
    },
  },
  {
    path: ['mailboxorg', 'sms', 'list'],
    description: 'The SMS the password reset sent (the outbox stands in for the phones), newest first',
    options: [{ flag: '--to <number>', description: 'only those to this number' }],
    async run(ctx, _args, o) {
      const to = str(o.to)
        ?.replace(/[\s()/.-]/g, '')
        .replace(/^00/, '+')
      const rows = await ctx.storage.findMany<SmsRow>({
        model: SMS,
        ...(to ? { where: { field: 'to', value: to } } : {}),
        sort: [{ field: 'id', dir: 'desc' }],
        limit: 100,
      })
      return rows.map((s) => ({ to: s.to, text: s.text, sent_at: new Date(s.created_at).toISOString() }))
    },
  },
]
