import { type PluginContext, UniqueViolationError } from '@mailfront/core'
import { addressesIn, headerValues } from './mail-headers.ts'
import type { MailRow } from './store.ts'
import { VACATION_REPLY, type VacationReplyRow } from './store-delivery.ts'

const DAY_MS = 86_400_000

export interface VacationNotice {
  subject: string
  body: string
  start_date: string
  end_date: string
  additional_mail_addresses: string[]
}

/** The notice in force at `now` (UTC days, both ends included), or null. */
export function activeNotice(m: MailRow, now: number): VacationNotice | null {
  const v = m.extras?.vacation as VacationNotice | undefined
  if (!v?.subject || !v.start_date || !v.end_date) return null
  const start = Date.parse(`${v.start_date}T00:00:00Z`)
  const end = Date.parse(`${v.end_date}T00:00:00Z`) + DAY_MS
  return now >= start && now < end ? v : null
}

/**
 * Why a message gets no notice (RFC 3834, RFC 5230), or null when it may get one: never to the
 * null sender, to a mailer daemon or list address, to mail that is itself automatic
 * (`Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`, list headers), to the mailbox
 * itself, nor when the mailbox (or one of the notice's additional addresses) is not among the
 * message's To/Cc/Bcc/Resent-To/Resent-Cc addresses (a Bcc'd list copy, a forwarded copy).
 */
export async function noticeRefusal(
  sender: string,
  block: string,
  mailbox: string,
  v: VacationNotice,
): Promise<string | null> {
  const from = sender.toLowerCase()
  if (!from) return 'null sender'
  const local = from.slice(0, from.lastIndexOf('@'))
  if (from === mailbox) return 'sent by the mailbox itself'
  if (/^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|no-?reply)$/.test(local))
    return 'automatic sender address'
  const auto = headerValues(block, 'Auto-Submitted')[0]
  if (auto && !/^no\b/i.test(auto)) return `Auto-Submitted: ${auto}`
  const precedence = headerValues(block, 'Precedence')[0]
  if (precedence && /^(bulk|list|junk)\b/i.test(precedence)) return `Precedence: ${precedence}`
  if (['List-Id', 'List-Unsubscribe', 'List-Post'].some((h) => headerValues(block, h).length))
    return 'mailing list message'
  const mine = new Set([mailbox, ...v.additional_mail_addresses.map((a) => a.toLowerCase())])
  const to = await addressesIn(block, ['To', 'Cc', 'Bcc', 'Resent-To', 'Resent-Cc'])
  if (!to.some((a) => mine.has(a))) return 'the mailbox is not among the addressees'
  return null
}

/**
 * Claim the right to answer `sender` now: one notice per sender per vacation, and again only after
 * `days`. Recorded before the notice is sent (a guarded write, so two instances never both answer);
 * `release` undoes the claim when the notice could not be queued.
 */
export async function claimNotice(
  ctx: PluginContext,
  mailbox: string,
  sender: string,
  v: VacationNotice,
  days: number,
): Promise<{ release(): Promise<void> } | null> {
  const now = ctx.clock.now()
  const period = `${v.start_date}/${v.end_date}`
  const key = {
    and: [
      { field: 'mail', value: mailbox },
      { field: 'sender', value: sender },
    ],
  }
  const prior = await ctx.storage.findOne<VacationReplyRow>({ model: VACATION_REPLY, where: key })
  if (!prior) {
    try {
      const row = await ctx.storage.create<VacationReplyRow>({
        model: VACATION_REPLY,
        data: { mail: mailbox, sender, period, sent_at: now },
      })
      return {
        release: async () => {
          await ctx.storage.deleteOne({ model: VACATION_REPLY, where: { field: 'id', value: row.id } })
        },
      }
    } catch (e) {
      if (e instanceof UniqueViolationError) return null // another delivery answered first
      throw e
    }
  }
  if (prior.period === period && now - prior.sent_at < days * DAY_MS) return null
  const won = await ctx.storage.updateOne<VacationReplyRow>({
    model: VACATION_REPLY,
    where: {
      and: [
        { field: 'id', value: prior.id },
        { field: 'sent_at', value: prior.sent_at },
      ],
    },
    set: { period, sent_at: now },
  })
  if (!won) return null
  return {
    release: async () => {
      await ctx.storage.updateOne({
        model: VACATION_REPLY,
        where: { field: 'id', value: prior.id },
        set: { period: prior.period, sent_at: prior.sent_at },
      })
    },
  }
}

/** The notice as a message: from the mailbox to the sender, marked `Auto-Submitted: auto-replied`. */
export async function composeNotice(
  mailbox: string,
  sender: string,
  v: VacationNotice,
  original: { block: string; messageId?: string },
  now: number,
  messageId: string,
): Promise<Buffer> {
  const references = headerValues(original.block, 'References')[0]?.split(/\s+/).filter(Boolean) ?? []
  const inReplyTo = original.messageId ? `<${original.messageId}>` : undefined
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer')
  const mail = new MailComposer({
    from: mailbox,
    to: sender,
    subject: v.subject,
    text: v.body,
    date: new Date(now),
    messageId,
    ...(inReplyTo ? { inReplyTo, references: [...references, inReplyTo] } : {}),
    headers: { 'Auto-Submitted': 'auto-replied' },
  })
  return mail.compile().build()
}
