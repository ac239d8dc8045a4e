import { adminCredentialFixture, defineFixtures, z } from '@mailfront/core'
import { putAlias } from './aliases.ts'
import type { ExampleContext } from './setup.ts'
import { ALIAS, type AliasRow, admin } from './store.ts'

const email = z.string().toLowerCase().pipe(z.email())

/** The plugin's section of a fixtures file (`{"example": {...}}`); `export` writes the same shape. */
export const exampleFixturesSchema = z
  .object({
    admin: adminCredentialFixture.optional(),
    aliases: z
      .array(
        z
          .object({ address: email, destinations: z.array(email).min(1), comment: z.string().default('') })
          .strict(),
      )
      .default([]),
  })
  .strict()
export type ExampleFixtures = z.input<typeof exampleFixturesSchema>

export const fixtures = defineFixtures({
  schema: exampleFixturesSchema,
  async load(ctx: ExampleContext, data) {
    const n = await admin.load(ctx, data.admin)
    for (const a of data.aliases) await putAlias(ctx, a.address, a)
    return { upserted: n + data.aliases.length }
  },
  async export(ctx) {
    const aliases = await ctx.storage.findMany<AliasRow>({ model: ALIAS, sort: [{ field: 'address' }] })
    return {
      ...(await admin.export(ctx)),
      aliases: aliases.map((a) => ({ address: a.address, destinations: a.destinations, comment: a.comment })),
    }
  },
})
