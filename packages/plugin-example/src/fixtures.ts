import {
  boundedPasswordHash,
  defineFixtures,
  type PluginContext,
  storedPasswordHash,
  upsertOne,
  z,
} from '@mailfront/core'
import { putAlias } from './aliases.ts'
import type { ExampleContext } from './options.ts'
import { ADMIN, ADMIN_NAME, type AdminRow, ALIAS, type AliasRow } from './store.ts'

const email = z.string().toLowerCase().pipe(z.email())

/** The plugin's section of a fixtures file (`{"example": {...}}`); `export` writes the same shape. */
export const fixturesSchema = z
  .object({
    admin: z
      .object({
        login: z
          .string()
          .min(1)
          .regex(/^[^:]*$/, 'must not contain ":"'),
        password: z
          .string()
          .min(1)
          .superRefine(boundedPasswordHash)
          .describe('in clear (hashed on load) or a bcrypt hash (cost 4..12)'),
      })
      .strict()
      .optional(),
    aliases: z
      .array(
        z
          .object({ address: email, destinations: z.array(email).min(1), comment: z.string().default('') })
          .strict(),
      )
      .default([]),
  })
  .strict()
export type ExampleFixtures = z.input<typeof fixturesSchema>

/** Store the admin credential; a hash is kept only when its work factor is within bounds. */
export async function setAdmin(ctx: PluginContext, login: string, password: string): Promise<void> {
  await upsertOne(ctx.storage, {
    model: ADMIN,
    key: { field: 'name', value: ADMIN_NAME },
    set: { login, password_hash: await storedPasswordHash(password) },
  })
}

export const fixtures = defineFixtures({
  schema: fixturesSchema,
  async load(ctx: ExampleContext, data) {
    if (data.admin) await setAdmin(ctx, data.admin.login, data.admin.password)
    for (const a of data.aliases) await putAlias(ctx, a.address, a)
    return { upserted: (data.admin ? 1 : 0) + data.aliases.length }
  },
  async export(ctx) {
    const admin = await ctx.storage.findOne<AdminRow>({
      model: ADMIN,
      where: { field: 'name', value: ADMIN_NAME },
    })
    const aliases = await ctx.storage.findMany<AliasRow>({ model: ALIAS, sort: [{ field: 'address' }] })
    return {
      ...(admin ? { admin: { login: admin.login, password: admin.password_hash } } : {}),
      aliases: aliases.map((a) => ({ address: a.address, destinations: a.destinations, comment: a.comment })),
    }
  },
})
