import {
  boundedPasswordHash,
  defineFixtures,
  type PluginContext,
  storedPasswordHash,
  UniqueViolationError,
  z,
} from '@mailfront/core'
import { ACCOUNT, type Account, findAccount, normalizeUserId } from './store.ts'
import { formatLondon, nextAnniversaryAfter, parseLondon } from './time.ts'

/** A quantity: a JSON integer of any size (parsed as bigint beyond 2^53) or a digit string. */
export const quantity = z
  .union([
    z.bigint().nonnegative(),
    z.number().int().nonnegative(),
    z.string().regex(/^\d+$/, 'must be a whole number of digits (no sign, decimals or exponent)'),
  ])
  .transform((v) => BigInt(v))

const date = z.string().transform((s, c) => {
  try {
    return parseLondon(s)
  } catch {
    c.addIssue({ code: 'custom', message: 'expected "YYYY-MM-DD HH:MM:SS" (UK time) or an ISO 8601 date' })
    return z.NEVER
  }
})

export const accountFixture = z
  .object({
    user_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    api_password: z
      .string()
      .min(1)
      .superRefine(boundedPasswordHash)
      .optional()
      .describe('in clear (hashed on load) or already a bcrypt hash (cost 4..12)'),
    smtp_password: z
      .string()
      .min(1)
      .superRefine(boundedPasswordHash)
      .optional()
      .describe('SMTP submission password: in clear (hashed on load) or already a bcrypt hash (cost 4..12)'),
    api_enabled: z.boolean().default(true),
    created_at: date.optional(),
    next_reset: date.optional(),
    messages_limit: quantity,
    data_limit: quantity,
    messages_sent: quantity.default(0n),
    data_sent: quantity.default(0n),
    max_message_size: quantity.default(10485760n),
    from_addresses_limit: quantity.default(10n),
    from_addresses: z.array(z.string().email()).default([]),
    ip_addresses: z.array(z.union([z.ipv4(), z.ipv6()])).default([]),
  })
  .strict()

export const fixturesSchema = z.object({ accounts: z.array(accountFixture).default([]) }).strict()
export type AuthsmtpFixtures = z.infer<typeof fixturesSchema>

export async function upsertAccount(ctx: PluginContext, a: z.infer<typeof accountFixture>): Promise<Account> {
  const now = ctx.clock.now()
  const existing = await findAccount(ctx, a.user_id)
  const created = a.created_at ?? existing?.created_at ?? now
  const hash = a.api_password === undefined ? undefined : await storedPasswordHash(a.api_password)
  const smtpHash = a.smtp_password === undefined ? undefined : await storedPasswordHash(a.smtp_password)
  const data = {
    user_id: normalizeUserId(a.user_id),
    api_enabled: a.api_enabled,
    created_at: created,
    next_reset: a.next_reset ?? existing?.next_reset ?? nextAnniversaryAfter(created, now),
    messages_limit: a.messages_limit,
    data_limit: a.data_limit,
    messages_sent: a.messages_sent,
    data_sent: a.data_sent,
    max_message_size: a.max_message_size,
    from_addresses_limit: a.from_addresses_limit,
    from_addresses: a.from_addresses,
    ip_addresses: a.ip_addresses,
    ...(hash === undefined ? {} : { api_password_hash: hash }),
    ...(smtpHash === undefined ? {} : { smtp_password_hash: smtpHash }),
  }
  if (existing)
    return (await ctx.storage.updateOne<Account>({
      model: ACCOUNT,
      where: { field: 'id', value: existing.id },
      set: data,
    }))!
  try {
    return await ctx.storage.create<Account>({ model: ACCOUNT, data })
  } catch (e) {
    if (e instanceof UniqueViolationError) return upsertAccount(ctx, a)
    throw e
  }
}

export const fixtures = defineFixtures({
  schema: fixturesSchema,
  async load(ctx, data) {
    for (const a of data.accounts) await upsertAccount(ctx, a)
    return { upserted: data.accounts.length }
  },
  smtpLogins: (data) => data.accounts.map((a) => normalizeUserId(a.user_id)),
  async export(ctx) {
    const rows = await ctx.storage.findMany<Account>({ model: ACCOUNT, sort: [{ field: 'user_id' }] })
    return {
      accounts: rows.map((r) => ({
        user_id: r.user_id,
        ...(r.api_password_hash ? { api_password: r.api_password_hash } : {}),
        ...(r.smtp_password_hash ? { smtp_password: r.smtp_password_hash } : {}),
        api_enabled: r.api_enabled,
        created_at: new Date(r.created_at).toISOString(),
        next_reset: formatLondon(r.next_reset),
        messages_limit: r.messages_limit,
        data_limit: r.data_limit,
        messages_sent: r.messages_sent,
        data_sent: r.data_sent,
        max_message_size: r.max_message_size,
        from_addresses_limit: r.from_addresses_limit,
        from_addresses: r.from_addresses,
        ip_addresses: r.ip_addresses,
      })),
    }
  },
})
