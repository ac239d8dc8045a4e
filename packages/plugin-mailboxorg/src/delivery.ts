import { type LocalDelivery, MailRejection, type PluginContext, randomHex } from '@mailfront/core'
import { blacklisted } from './blacklist.ts'
import { forwardCopy, forwardRefusal } from './forward.ts'
import { headerBlock } from './mail-headers.ts'
import { MAIL, type MailRow } from './store.ts'
import { activeNotice, claimNotice, composeNotice, noticeRefusal } from './vacation.ts'

/**
 * mailbox.org mailboxes as recipients of the mail pipeline: the blacklist refuses listed senders,
 * an inactive mailbox refuses everything, and each delivery forwards copies (`forwards`) and sends
 * the vacation notice once per sender per period.
 */
export function mailboxorgLocalDelivery(
  ctx: PluginContext,
  opts: () => { vacationDays: number },
): LocalDelivery {
  const find = (address: string) =>
    ctx.storage.findOne<MailRow>({ model: MAIL, where: { field: 'mail', value: address.toLowerCase() } })

  return {
    async checkRecipient(from, rcpt) {
      const m = await find(rcpt)
      if (!m) return false
      if (!m.active) throw new MailRejection(550, `5.2.1 <${m.mail}>: mailbox disabled`)
      if (blacklisted(m.extras?.blacklist ?? [], from))
        throw new MailRejection(550, `5.7.1 <${m.mail}>: sender blocked by recipient`)
      return true
    },

    async delivered({ message, recipient, raw }) {
      const mail = ctx.mail
      if (!mail) throw new Error('mailboxorg: local delivery needs the mail pipeline (ctx.mail)')
      const m = await find(recipient)
      // Deleted since it was queued: delivered to nobody, nothing follows.
      if (!m) return 'mailbox no longer exists: nothing kept'
      const block = headerBlock(raw)
      const sender = message.envelope.from
      const attrs = m.attrs as { forwards?: string[]; inboxsave?: boolean }
      const notes: string[] = []
      const forwards = attrs.forwards ?? []

      // The notice first: its claim makes a retry skip it, so if the forward then fails, the retry
      // sends neither twice. The forward is the last step, so nothing after it can fail.
      const notice = activeNotice(m, ctx.clock.now())
      if (notice) {
        const refused = await noticeRefusal(sender, block, m.mail, notice)
        const claim = refused
          ? null
          : await claimNotice(ctx, m.mail, sender.toLowerCase(), notice, opts().vacationDays)
        if (claim) {
          const now = ctx.clock.now()
          try {
            const raw = await composeNotice(
              m.mail,
              sender,
              notice,
              { block, ...(message.messageId ? { messageId: message.messageId } : {}) },
              now,
              `<${randomHex(16)}@${m.domain}>`,
            )
            // Null envelope sender: nothing automatic ever answers a notice (RFC 3834).
            const sent = await mail.submit({
              envelope: { from: '', to: [sender] },
              raw,
              plugin: 'mailboxorg',
              principal: m.mail,
              via: 'local',
            })
            notes.push(`vacation notice ${sent.id}`)
          } catch (e) {
            // Refused for good (the sender's own mailbox here blocks this one): not retried.
            if (e instanceof MailRejection) notes.push(`vacation notice refused: ${e.code} ${e.message}`)
            else {
              await claim.release()
              throw e
            }
          }
        } else notes.push(`no vacation notice: ${refused ?? 'already answered in this period'}`)
      }

      if (forwards.length) {
        const refused = forwardRefusal(block, m.mail)
        if (refused) {
          ctx.log.warn(
            { plugin: 'mailboxorg', mail: message.id, mailbox: m.mail, reason: refused },
            'forward skipped',
          )
          notes.push(`not forwarded: ${refused}`)
        } else {
          // The copy's envelope sender is the forwarding mailbox (its bounces go to whoever set the
          // forward up, never to a third party); a bounce (null sender) stays one.
          // When every forward refuses the copy (submit throws their MailRejection), the delivery
          // to the mailbox stands all the same.
          const copy = await mail
            .submit({
              envelope: { from: sender === '' ? '' : m.mail, to: forwards },
              raw: forwardCopy(raw, m.mail),
              plugin: 'mailboxorg',
              principal: m.mail,
              via: 'local',
            })
            .catch((e) => {
              if (e instanceof MailRejection) return e
              throw e
            })
          notes.push(
            copy instanceof MailRejection
              ? `not forwarded: ${copy.code} ${copy.message}`
              : `forwarded to ${forwards.join(', ')} as ${copy.id}`,
          )
        }
      }

      const kept = attrs.inboxsave !== false || !forwards.length
      return [kept ? 'delivered to the mailbox' : 'not kept (inboxsave off)', ...notes].join('; ')
    },
  }
}
