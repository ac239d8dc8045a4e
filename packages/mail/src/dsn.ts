export interface DsnInput {
  /** The reporting host (RFC 3464 Reporting-MTA). */
  hostname: string
  /** The original envelope sender: the DSN's only recipient. */
  to: string
  recipient: string
  /** The last SMTP reply, or why the message gave up. */
  reason: string
  /** The SMTP reply code when there was one (5xx); else a generic permanent failure. */
  code?: number
  /** The original message's header block (RFC 3464 allows headers only: text/rfc822-headers). */
  originalHeaders: string
  originalMessageId?: string
  arrivalDate: Date
  date: Date
}

/** The status code of a permanent failure: RFC 3463 `5.x.x` from the reply when it has one. */
export function dsnStatus(reason: string, code?: number): string {
  const m = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reason)
  if (m && m[1]!.startsWith('5')) return m[1]!
  return code && code >= 500 ? '5.0.0' : '4.4.7'
}

/**
 * A delivery status notification (RFC 3464): multipart/report with a human part, the
 * message/delivery-status fields, and the original's headers. Built with nodemailer's MIME tree.
 */
export async function buildDsn(d: DsnInput): Promise<Buffer> {
  const status = dsnStatus(d.reason, d.code)
  const { default: MimeNode } = await import('nodemailer/lib/mime-node')
  const root = new MimeNode('multipart/report; report-type=delivery-status', {
    hostname: d.hostname,
  })
  root.setHeader({
    From: { name: 'Mail Delivery System', address: `MAILER-DAEMON@${d.hostname}` },
    To: d.to,
    Subject: 'Undelivered Mail Returned to Sender',
    Date: d.date,
    'Auto-Submitted': 'auto-replied',
  })
  if (d.originalMessageId) {
    root.setHeader('In-Reply-To', `<${d.originalMessageId}>`)
    root.setHeader('References', `<${d.originalMessageId}>`)
  }
  root
    .createChild('text/plain; charset=utf-8')
    .setContent(
      [
        `This is the mail system at host ${d.hostname}.`,
        '',
        'Your message could not be delivered to one or more recipients.',
        '',
        `<${d.recipient}>: ${d.reason}`,
        '',
      ].join('\r\n'),
    )
  const fields = [
    `Reporting-MTA: dns; ${d.hostname}`,
    `Arrival-Date: ${d.arrivalDate.toUTCString().replace('GMT', '+0000')}`,
    '',
    `Final-Recipient: rfc822; ${d.recipient}`,
    'Action: failed',
    `Status: ${status}`,
    ...(d.code ? [`Diagnostic-Code: smtp; ${d.reason.replace(/[\r\n]+/g, ' ')}`] : []),
    `Last-Attempt-Date: ${d.date.toUTCString().replace('GMT', '+0000')}`,
    '',
  ].join('\r\n')
  root.createChild('message/delivery-status').setContent(fields)
  root.createChild('text/rfc822-headers').setContent(d.originalHeaders)
  return root.build()
}

/** The header block of a raw message (up to the first empty line), CRLF-terminated. */
export function headerBlock(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 64 * 1024)).toString('latin1')
  const end = text.search(/\r?\n\r?\n/)
  const head = end === -1 ? text : text.slice(0, end)
  return `${head.replace(/\r?\n/g, '\r\n')}\r\n`
}
