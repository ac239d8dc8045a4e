import { consumeCall, hashPassword, type RateLimitDef, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { smsPerAddress, smsPerMailbox } from '../rate-limits.ts'
import { MAIL, type MailRow, SESSION } from '../store.ts'
import { SMS } from '../store-resources.ts'
import { issueResetCode, RESET_TTL_MS, spendResetCode } from '../tokens.ts'
import { newPassword } from './account.ts'

// Self-service password reset by SMS, without a session (the method table lists no level). Every
// answer is the same for an unknown mailbox and one without the method: no existence oracle.

const normalPhone = (p: string) => p.replace(/[\s()/.-]/g, '').replace(/^00/, '+')

async function findMail(call: Call, mail: string): Promise<MailRow | null> {
  const m = await call.ctx.storage.findOne<MailRow>({
    model: MAIL,
    where: { field: 'mail', value: mail.trim().toLowerCase() },
  })
  return m?.active ? m : null
}

/** The methods a mailbox can reset its password with: SMS needs the capability and a cell phone. */
export function resetMethodsOf(m: MailRow | null): string[] {
  const phone = m?.attrs.cell_phone
  return m?.capabilities.includes('MAIL_PASSWORDRESET_SMS') && typeof phone === 'string' && phone
    ? ['sms']
    : []
}

async function limit(call: Call, key: string, def: RateLimitDef) {
  const wait = await consumeCall(call.ctx.rateLimits, key, def.window(call.ctx.options)!, call.ctx.clock)
  if (wait !== null) {
    call.ctx.events.rateLimited('mailboxorg')
    throw errors.TOO_MANY_RESETS({ details: { seconds: wait } })
  }
}

export const passwordResetMethods = [
  defineMethod({
    name: 'mail.passwordreset.listmethods',
    summary: 'The password reset methods of a mailbox (["sms"] or [])',
    access: 'anonymous',
    params: z.object({ mail: z.string().min(1).max(256) }),
    result: z.array(z.enum(['sms'])),
    errors: [],
    handler: async ({ mail }, call) => resetMethodsOf(await findMail(call, mail)) as 'sms'[],
  }),
  defineMethod({
    name: 'mail.passwordreset.sendsms',
    summary:
      'Send a reset code by SMS when the number is the mailbox’s cell phone (true either way); SMS land in the outbox',
    access: 'anonymous',
    params: z.object({ mail: z.string().min(1).max(256), cell_phone: z.string().min(3).max(40) }),
    result: z.literal(true),
    errors: ['TOO_MANY_RESETS'],
    async handler({ mail, cell_phone }, call) {
      await limit(call, `mailboxorg:sms:mail:${mail.trim().toLowerCase()}`, smsPerMailbox)
      await limit(call, `mailboxorg:sms:ip:${call.ip}`, smsPerAddress)
      const m = await findMail(call, mail)
      if (!m || !resetMethodsOf(m).length) return true as const
      if (normalPhone(String(m.attrs.cell_phone)) !== normalPhone(cell_phone)) return true as const
      const now = call.ctx.clock.now()
      const code = await issueResetCode(call.ctx.storage, m.mail, now)
      await call.ctx.storage.create({
        model: SMS,
        data: {
          to: normalPhone(cell_phone),
          text: `mailbox.org: your password reset code for ${m.mail} is ${code}. It is valid for ${RESET_TTL_MS / 60_000} minutes.`,
          created_at: now,
        },
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.passwordreset.setpassword',
    summary: 'Set a new password with the code sent by SMS; ends the mailbox’s sessions',
    access: 'anonymous',
    params: z.object({
      mail: z.string().min(1).max(256),
      token: z.string().min(1).max(64),
      password: newPassword,
    }),
    result: z.literal(true),
    errors: ['INVALID_TOKEN'],
    async handler({ mail, token, password }, call) {
      const m = await findMail(call, mail)
      const now = call.ctx.clock.now()
      if (!m || !(await spendResetCode(call.ctx.storage, m.mail, token.trim(), now)))
        throw errors.INVALID_TOKEN()
      const password_hash = await hashPassword(password)
      await call.ctx.storage.transaction(async (tx) => {
        await tx.updateOne({ model: MAIL, where: { field: 'id', value: m.id }, set: { password_hash } })
        await tx.deleteMany({ model: SESSION, where: { field: 'principal', value: m.mail } })
      })
      return true as const
    },
  }),
]
