import { createHmac } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { safeEqual } from '@mailfront/core'
import type { InvoiceRow } from './store-resources.ts'

// Invoice downloads: the token that names one, and the files (PDF, CSV, XML) when none was stored.

export const INVOICE_FILE_TYPES = ['csv', 'pdf', 'xml'] as const
export type InvoiceFileType = (typeof INVOICE_FILE_TYPES)[number]
export const VAT_PERCENT = 19

/**
 * A download token: the invoice id and an HMAC of it under the server secret. Nothing to store, and it
 * survives an export and a load; without the secret it cannot be made.
 */
export function invoiceToken(secret: string, invoiceId: string): string {
  const mac = createHmac('sha256', secret).update(`mailboxorg-invoice:${invoiceId}`).digest('base64url')
  return `${Buffer.from(invoiceId).toString('base64url')}.${mac}`
}

/** The invoice id a token names, when the token is genuine. */
export function invoiceIdOf(secret: string, token: string): string | null {
  const [id64, mac] = token.split('.')
  if (!id64 || !mac || token.length > 200) return null
  const id = Buffer.from(id64, 'base64url').toString('utf8')
  return safeEqual(invoiceToken(secret, id), token) ? id : null
}

/** The API's binary encoding: base64 of the zlib-compressed bytes (PHP gzcompress, Python zlib). */
export const binEncode = (bytes: Buffer | string): string => deflateSync(bytes).toString('base64')

const money = (n: number) => n.toFixed(2)
const net = (inv: InvoiceRow) => Math.round((inv.amount * 10_000) / (100 + VAT_PERCENT)) / 100

const lines = (inv: InvoiceRow) => [
  'mailbox.org Business',
  `Invoice ${inv.invoice_id}`,
  `Date: ${inv.date}`,
  `Customer account: ${inv.account}`,
  `Net: ${money(net(inv))} EUR`,
  `VAT ${VAT_PERCENT} %: ${money(inv.amount - net(inv))} EUR`,
  `Total: ${money(inv.amount)} EUR`,
  `Payment: ${inv.payment_type}, status: ${inv.status}`,
]

/** A one-page PDF 1.7 with the invoice's lines in Helvetica (a real PDF: objects, xref, trailer). */
export function invoicePdf(inv: InvoiceRow): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?')
  const text = lines(inv)
    .map((l, i) => `BT /F1 ${i === 0 ? 16 : 11} Tf 56 ${780 - i * 22} Td (${esc(l)}) Tj ET`)
    .join('\n')
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    `<< /Title (${esc(`Invoice ${inv.invoice_id}`)}) /Producer (mailfront) >>`,
  ]
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

/** The CSV export, with the header the live API's file starts with. */
export function invoiceCsv(inv: InvoiceRow): string {
  const row = [
    inv.date,
    'mailbox.org Business',
    `Invoice ${inv.invoice_id}`,
    '1',
    'EUR',
    money(net(inv)),
    String(VAT_PERCENT),
    money(inv.amount),
  ]
  return `date,services,description,quantity,currency,net,vat_percent,total\n${row.map(csvField).join(',')}\n`
}

const xmlText = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)

/** A small XML export (the live one's schema is not public). */
export function invoiceXml(inv: InvoiceRow): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<invoice id="${xmlText(inv.invoice_id)}">`,
    `  <date>${xmlText(inv.date)}</date>`,
    `  <account>${xmlText(inv.account)}</account>`,
    `  <currency>EUR</currency>`,
    `  <net>${money(net(inv))}</net>`,
    `  <vat_percent>${VAT_PERCENT}</vat_percent>`,
    `  <total>${money(inv.amount)}</total>`,
    `  <payment_type>${xmlText(inv.payment_type)}</payment_type>`,
    `  <status>${xmlText(inv.status)}</status>`,
    '</invoice>',
    '',
  ].join('\n')
}

/** The file's bytes: the one stored for this invoice, else generated from it. */
export function invoiceFile(inv: InvoiceRow, type: InvoiceFileType): Buffer {
  const stored = inv.files?.[type]
  if (stored !== undefined) return type === 'pdf' ? Buffer.from(stored, 'base64') : Buffer.from(stored)
  if (type === 'pdf') return invoicePdf(inv)
  return Buffer.from(type === 'csv' ? invoiceCsv(inv) : invoiceXml(inv))
}
