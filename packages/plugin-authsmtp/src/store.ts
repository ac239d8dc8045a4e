import type { ModelSchema, PluginContext, Row } from '@mailfront/core'
import { nextAnniversaryAfter } from './time.ts'

export const ACCOUNT = 'authsmtp_account'

export const models: ModelSchema = {
  [ACCOUNT]: {
    fields: {
      user_id: { type: 'string', unique: true },
      api_password_hash: { type: 'string', optional: true },
      // The SMTP submission password: separate from the API password, as at AuthSMTP.
      smtp_password_hash: { type: 'string', optional: true },
      api_enabled: { type: 'boolean', default: false },
      created_at: { type: 'timestamp' },
      next_reset: { type: 'timestamp' },
      messages_limit: { type: 'bigint' },
      data_limit: { type: 'bigint' },
      messages_sent: { type: 'bigint', default: 0n },
      data_sent: { type: 'bigint', default: 0n },
      max_message_size: { type: 'bigint' },
      from_addresses_limit: { type: 'bigint' },
      from_addresses: { type: 'json', default: () => [] },
      ip_addresses: { type: 'json', default: () => [] },
    },
  },
}

export interface Account extends Row {
  user_id: string
  api_password_hash: string | null
  smtp_password_hash: string | null
  api_enabled: boolean
  created_at: number
  next_reset: number
  messages_limit: bigint
  data_limit: bigint
  messages_sent: bigint
  data_sent: bigint
  max_message_size: bigint
  from_addresses_limit: bigint
  from_addresses: string[]
  ip_addresses: string[]
}

/** User ids compare case-insensitively: they are stored lower-cased. */
export const normalizeUserId = (id: string) => id.trim().toLowerCase()

export function findAccount(ctx: PluginContext, userId: string): Promise<Account | null> {
  return ctx.storage.findOne<Account>({
    model: ACCOUNT,
    where: { field: 'user_id', value: normalizeUserId(userId) },
  })
}

export async function requireAccount(ctx: PluginContext, userId: string): Promise<Account> {
  const a = await findAccount(ctx, userId)
  if (!a) throw new Error(`no AuthSMTP account "${userId}"`)
  return a
}

/**
 * Record usage. When `next_reset` lies in the past the quota resets first (counters to 0, the reset
 * moved to the next monthly anniversary after now): the seed's rule, applied here, not on reads.
 */
export async function recordUsage(
  ctx: PluginContext,
  userId: string,
  messages: bigint,
  bytes: bigint,
): Promise<Account> {
  const id = normalizeUserId(userId)
  // The common case, one atomic increment: concurrent messages never lose a count.
  const fast = await ctx.storage.increment<Account>({
    model: ACCOUNT,
    where: {
      and: [
        { field: 'user_id', value: id },
        { field: 'next_reset', op: 'gt', value: ctx.clock.now() },
      ],
    },
    by: { messages_sent: messages, data_sent: bytes },
  })
  if (fast) return fast
  return ctx.storage.transaction(async (tx) => {
    const a = await tx.findOne<Account>({
      model: ACCOUNT,
      where: { field: 'user_id', value: normalizeUserId(userId) },
    })
    if (!a) throw new Error(`no AuthSMTP account "${userId}"`)
    const now = ctx.clock.now()
    const reset = a.next_reset <= now
    const updated = await tx.updateOne<Account>({
      model: ACCOUNT,
      where: { field: 'id', value: a.id },
      set: {
        messages_sent: (reset ? 0n : a.messages_sent) + messages,
        data_sent: (reset ? 0n : a.data_sent) + bytes,
        next_reset: reset ? nextAnniversaryAfter(a.created_at, now) : a.next_reset,
      },
    })
    return updated!
  })
}
