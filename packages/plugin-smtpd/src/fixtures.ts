import {
  boundedPasswordHash,
  defineFixtures,
  type PluginContext,
  storedPasswordHash,
  z,
} from '@mailfront/core'
import { createAccount, createApiKey, createUser } from './accounts.ts'
import { FREE_PLAN, planById } from './plans.ts'
import { KEY_ROLES, ROLES } from './roles.ts'
import { exportSending, loadSending } from './sending/fixtures.ts'
import { sendingFixtureFields } from './sending/fixtures-schema.ts'
import { ACCOUNT, type AccountRow, API_KEY, type ApiKeyRow, USER, type UserRow } from './store.ts'

const time = z
  .union([z.number().int().nonnegative(), z.string().datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))

export const fixturesSchema = z
  .object({
    accounts: z
      .array(
        z
          .object({
            id: z.string().uuid().optional(),
            account_name: z.string().min(1),
            plan_id: z
              .string()
              .refine((p) => !!planById(p), 'unknown plan')
              .default(FREE_PLAN),
            is_verified: z.boolean().default(false),
            country: z.string().default(''),
            users: z
              .array(
                z
                  .object({
                    id: z.string().uuid().optional(),
                    email_address: z.string().email(),
                    password: z
                      .string()
                      .min(1)
                      .superRefine(boundedPasswordHash)
                      .describe('in clear (hashed on load) or a bcrypt hash (cost 4..12)'),
                    first_name: z.string().default(''),
                    surname: z.string().default(''),
                    role: z.enum(ROLES).default('standard'),
                    is_verified: z.boolean().default(true),
                    created_at: time.optional().describe('epoch ms or ISO 8601'),
                  })
                  .strict(),
              )
              .default([]),
            api_keys: z
              .array(
                z
                  .object({
                    key: z
                      .string()
                      .min(1)
                      .regex(/^[^:]+$/, 'must not contain ":"'),
                    secret: z.string().min(1).describe('in clear, or "sha256:<hex>" as exported'),
                    name: z.string().default(''),
                    role: z.enum(KEY_ROLES).default('standard'),
                    created_by: z
                      .string()
                      .email()
                      .optional()
                      .describe("a user's e-mail; the first user when omitted"),
                    is_active: z.boolean().default(true),
                  })
                  .strict(),
              )
              .default([]),
            ...sendingFixtureFields,
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
export type SmtpdFixtures = z.infer<typeof fixturesSchema>
type AccountFixture = SmtpdFixtures['accounts'][number]

async function upsertAccount(ctx: PluginContext, a: AccountFixture): Promise<number> {
  const db = ctx.storage
  const existing = await db.findOne<AccountRow>({
    model: ACCOUNT,
    where: { field: 'account_name', value: a.account_name },
  })
  const account = existing
    ? (await db.updateOne<AccountRow>({
        model: ACCOUNT,
        where: { field: 'id', value: existing.id },
        set: { plan_id: a.plan_id, is_verified: a.is_verified, country: a.country },
      }))!
    : await createAccount(ctx, {
        ...(a.id ? { id: a.id } : {}),
        account_name: a.account_name,
        plan_id: a.plan_id,
        is_verified: a.is_verified,
        country: a.country,
      })
  const users: UserRow[] = []
  for (const u of a.users) {
    const email = u.email_address.toLowerCase()
    const found = await db.findOne<UserRow>({ model: USER, where: { field: 'email_address', value: email } })
    const hash = await storedPasswordHash(u.password)
    users.push(
      found
        ? (await db.updateOne<UserRow>({
            model: USER,
            where: { field: 'id', value: found.id },
            set: {
              account_id: account.id,
              password_hash: hash,
              first_name: u.first_name,
              surname: u.surname,
              role: u.role,
              is_verified: u.is_verified,
            },
          }))!
        : await createUser(ctx, {
            ...(u.id ? { id: u.id } : {}),
            account_id: account.id,
            email_address: email,
            password: hash,
            first_name: u.first_name,
            surname: u.surname,
            role: u.role,
            is_verified: u.is_verified,
            ...(u.created_at === undefined ? {} : { created_at: u.created_at }),
          }),
    )
  }
  for (const k of a.api_keys) {
    const creator = k.created_by
      ? await db.findOne<UserRow>({
          model: USER,
          where: { field: 'email_address', value: k.created_by.toLowerCase() },
        })
      : (users[0] ??
        (await db.findOne<UserRow>({ model: USER, where: { field: 'account_id', value: account.id } })))
    if (!creator)
      throw new Error(`smtpd.accounts: ${a.account_name}: API key ${k.key} needs a user to belong to`)
    const found = await db.findOne<ApiKeyRow>({ model: API_KEY, where: { field: 'key', value: k.key } })
    if (found) await db.deleteOne({ model: API_KEY, where: { field: 'id', value: found.id } })
    const { row } = await createApiKey(ctx, {
      account_id: account.id,
      created_by: creator.id,
      name: k.name,
      role: k.role,
      key: k.key,
      secret: k.secret,
    })
    if (!k.is_active)
      await db.updateOne({ model: API_KEY, where: { field: 'id', value: row.id }, set: { is_active: false } })
  }
  return 1 + a.users.length + a.api_keys.length + (await loadSending(ctx, account.id, a))
}

export const fixtures = defineFixtures({
  schema: fixturesSchema,
  async load(ctx, data) {
    let n = 0
    for (const a of data.accounts) n += await upsertAccount(ctx, a)
    return { upserted: n }
  },
  async export(ctx) {
    const db = ctx.storage
    const accounts = await db.findMany<AccountRow>({ model: ACCOUNT, sort: [{ field: 'account_name' }] })
    const out = []
    for (const a of accounts) {
      const where = { field: 'account_id', value: a.id }
      const users = await db.findMany<UserRow>({ model: USER, where, sort: [{ field: 'created_at' }] })
      const keys = await db.findMany<ApiKeyRow>({ model: API_KEY, where, sort: [{ field: 'created_at' }] })
      const email = new Map(users.map((u) => [u.id, u.email_address]))
      out.push({
        id: a.id,
        account_name: a.account_name,
        plan_id: a.plan_id,
        is_verified: a.is_verified,
        country: a.country,
        users: users.map((u) => ({
          id: u.id,
          email_address: u.email_address,
          password: u.password_hash,
          first_name: u.first_name,
          surname: u.surname,
          role: u.role,
          is_verified: u.is_verified,
          created_at: u.created_at,
        })),
        api_keys: keys.map((k) => ({
          key: k.key,
          secret: `sha256:${k.secret_hash}`,
          name: k.name,
          // Keys are only ever created with a key role (the CLI, the API and fixtures check it).
          role: k.role as (typeof KEY_ROLES)[number],
          ...(email.get(k.created_by) ? { created_by: email.get(k.created_by) } : {}),
          is_active: k.is_active,
        })),
        ...(await exportSending(ctx, a.id)),
      })
    }
    return { accounts: out }
  },
})
