import { z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { binEncode, INVOICE_FILE_TYPES, invoiceFile, invoiceIdOf, invoiceToken } from '../invoice-files.ts'
import { defineMethod } from '../method.ts'
import { requireAccount } from '../scope.ts'
import { INVOICE, type InvoiceRow } from '../store-resources.ts'

export const invoiceItem = z.object({
  invoice_id: z.string(),
  invoiceNumber: z.string(),
  date: z.string(),
  amount: z.number(),
  paymentType: z.string(),
  status: z.string(),
  availableDownloadFileTypes: z.array(z.enum(INVOICE_FILE_TYPES)),
  token: z.string(),
})

export const invoiceView = (secret: string, i: InvoiceRow): z.infer<typeof invoiceItem> => ({
  invoice_id: i.invoice_id,
  invoiceNumber: i.invoice_id,
  date: i.date,
  amount: i.amount,
  paymentType: i.payment_type,
  status: i.status,
  availableDownloadFileTypes: [...INVOICE_FILE_TYPES],
  token: invoiceToken(secret, i.invoice_id),
})

export const invoiceMethods = [
  defineMethod({
    name: 'account.invoice.list',
    summary: 'The downloadable invoices of an account, newest first, each with its download token',
    access: ['reseller', 'account'],
    params: z.object({ account: z.string().min(1) }),
    result: z.array(invoiceItem),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account }, call) {
      const a = await requireAccount(call, account)
      const rows = await call.ctx.storage.findMany<InvoiceRow>({
        model: INVOICE,
        where: { field: 'account', value: a.account },
        sort: [
          { field: 'date', dir: 'desc' },
          { field: 'invoice_id', dir: 'desc' },
        ],
      })
      return rows.map((r) => invoiceView(call.ctx.secret, r))
    },
  }),
  defineMethod({
    name: 'account.invoice.get',
    summary:
      'An invoice file as {invoice_id, bin: base64(zlib(bytes))}; the token from account.invoice.list is the credential',
    // The 2022 method table lists no level for it: the token alone grants the download.
    access: 'anonymous',
    params: z.object({
      token: z.string().min(1),
      account: z.string().min(1).optional(),
      type: z.enum(INVOICE_FILE_TYPES).default('pdf'),
    }),
    // The live answer names the invoice in clear beside the file (clients check `invoice_id in str(answer)`).
    result: z.object({ invoice_id: z.string(), bin: z.string() }),
    errors: ['INVOICE_NOT_FOUND'],
    async handler({ token, account, type }, call) {
      const id = invoiceIdOf(call.ctx.secret, token)
      const inv = id
        ? await call.ctx.storage.findOne<InvoiceRow>({
            model: INVOICE,
            where: { field: 'invoice_id', value: id },
          })
        : null
      // One answer for a forged token, a deleted invoice and another account's invoice.
      if (!inv || (account !== undefined && account.trim().toLowerCase() !== inv.account))
        throw errors.INVOICE_NOT_FOUND()
      return { invoice_id: inv.invoice_id, bin: binEncode(invoiceFile(inv, type)) }
    },
  }),
]
