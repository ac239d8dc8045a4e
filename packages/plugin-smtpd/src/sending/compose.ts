import DKIM from 'nodemailer/lib/dkim'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { ProfileRow, SendRow } from './models.ts'
import { type TrackingTokens, trackHtml } from './tracking.ts'

/** Where tracking and form URLs of a profile point: its link domain, or the configured base. */
export const linkBase = (p: Pick<ProfileRow, 'link_domain'>, configured: string | null) =>
  configured ?? `https://${p.link_domain}`

/** The envelope sender: the profile's bounce domain, tagged with the send key (VERP). */
export const bounceAddress = (send: SendRow, p: ProfileRow) => `bounce+${send.send_key}@${p.bounce_domain}`

/**
 * The RFC 5322 message of a send, built by nodemailer's MailComposer (tracking applied to the HTML)
 * and DKIM-signed with the profile's key.
 */
export async function composeMessage(
  send: SendRow,
  profile: ProfileRow,
  o: { date: Date; linkBase: string; tokens: TrackingTokens },
): Promise<Buffer> {
  const html = trackHtml(send.content_html, {
    base: o.linkBase,
    sendId: send.id,
    clicks: send.click_tracking,
    opens: send.open_tracking,
    tokens: o.tokens,
  })
  const node = new MailComposer({
    from: { name: send.from_name, address: send.from_email_address },
    to: { name: send.recipient_name, address: send.recipient_email_address },
    ...(send.reply_to ? { replyTo: send.reply_to } : {}),
    subject: send.subject,
    ...(send.content_text ? { text: send.content_text } : {}),
    ...(html ? { html } : {}),
    messageId: `<${send.send_key}@${profile.sending_domain}>`,
    date: o.date,
    headers: { 'X-SMTPD-Send-ID': send.id },
  }).compile()
  node.processFunc((input) =>
    new DKIM({
      domainName: profile.sending_domain,
      keySelector: profile.dkim_selector,
      privateKey: profile.dkim_private_key,
    }).sign(input),
  )
  return node.build()
}
