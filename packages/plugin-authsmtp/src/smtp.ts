import { MailRejection, type PluginContext, passwordAuth, type SmtpAuth } from '@mailfront/core'
import { type Account, findAccount, normalizeUserId, recordUsage } from './store.ts'

/** Usage as it stands now: a reset that is due counts as done (it is applied when usage is recorded). */
function current(a: Account, now: number) {
  const reset = a.next_reset <= now
  return { messages: reset ? 0n : a.messages_sent, data: reset ? 0n : a.data_sent }
}

/**
 * AuthSMTP on the submission port: the account's SMTP password (not its API password), and the
 * account's limits: monthly messages and data, the largest message, and its From addresses when
 * it has any. Each accepted message adds to `messages_sent` and `data_sent` at once.
 */
export function authsmtpSmtpAuth(ctx: PluginContext): SmtpAuth {
  // Its own cache namespace: the SMTP password is not the API password. The server throttles SMTP logins.
  const auth = passwordAuth(ctx, { plugin: 'authsmtp', scope: 'authsmtp-smtp' })
  const account = async (principal: string) => {
    const a = await findAccount(ctx, principal)
    if (!a) throw new MailRejection(550, `5.7.1 AuthSMTP account ${principal} no longer exists`)
    return a
  }
  return {
    async hasLogin(login) {
      const id = normalizeUserId(login)
      return !!id && !!(await findAccount(ctx, id))
    },
    async authenticate(login, password) {
      const id = normalizeUserId(login)
      const a = id ? await findAccount(ctx, id) : null
      const stored = a?.smtp_password_hash ?? null
      const ok = await auth.verify(id, password, stored)
      if (!ok || !a || !stored) return null
      return { principal: a.user_id }
    },

    async checkSubmit(principal, { envelope, size, headerFrom }) {
      const a = await account(principal)
      const used = current(a, ctx.clock.now())
      const bytes = BigInt(size)
      if (bytes > a.max_message_size)
        throw new MailRejection(
          552,
          `5.3.4 Message too big: ${size} bytes, the account's max_message_size is ${a.max_message_size}`,
        )
      if (used.messages + 1n > a.messages_limit)
        throw new MailRejection(
          550,
          `5.7.0 Message quota exceeded: ${used.messages} of ${a.messages_limit} messages sent this period`,
        )
      if (used.data + bytes > a.data_limit)
        throw new MailRejection(
          552,
          `5.2.2 Data quota exceeded: ${used.data} of ${a.data_limit} bytes sent this period, this message is ${size}`,
        )
      if (a.from_addresses.length) {
        const allowed = new Set(a.from_addresses.map((x) => x.toLowerCase()))
        for (const from of [envelope.from, ...(headerFrom ?? [])])
          if (from && !allowed.has(from.toLowerCase()))
            throw new MailRejection(
              553,
              `5.7.1 From address <${from}> is not one of the account's authorised From addresses`,
            )
      }
    },

    async accepted(principal, message) {
      await recordUsage(ctx, principal, 1n, BigInt(message.size))
    },
  }
}
