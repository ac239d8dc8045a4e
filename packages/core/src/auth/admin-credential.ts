import { z } from 'zod'
import type { CommandDef, PluginContext } from '../plugin.ts'
import type { ModelDef, Row } from '../storage/types.ts'
import { upsertOne } from '../storage/upsert.ts'
import { boundedPasswordHash, storedPasswordHash } from './passwords.ts'
import { randomSecret } from './secrets.ts'

/** The stored row of a plugin's one admin credential (HTTP Basic against a single login). */
export type AdminCredentialRow = Row & { name: string; login: string; password_hash: string }

/** A fixtures section's `admin`: a login (no ":", Basic could not carry it) and its password. */
export const adminCredentialFixture = z
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
export type AdminCredentialFixture = z.infer<typeof adminCredentialFixture>

/** The model of the credential row (`extra`: e.g. `cacheMs` when every request reads it). */
export function adminCredentialModel(extra: Omit<ModelDef, 'fields'> = {}): ModelDef {
  return {
    ...extra,
    fields: {
      name: { type: 'string', unique: true },
      login: { type: 'string' },
      password_hash: { type: 'string' },
    },
  }
}

/**
 * A plugin's admin credential, stored as one row of `model` keyed by `name`: what its fixtures
 * section (`admin`), its `<id> admin set` command and its auth check share.
 */
export function adminCredential(a: { model: string; name: string }) {
  const key = { field: 'name', value: a.name }
  const set = async (ctx: PluginContext, login: string, password: string): Promise<void> => {
    // A hash given to the CLI or in fixtures is kept only when its work factor is within bounds.
    const password_hash = await storedPasswordHash(password)
    await upsertOne(ctx.storage, { model: a.model, key, set: { login, password_hash } })
  }
  return {
    set,
    get: (ctx: PluginContext) => ctx.storage.findOne<AdminCredentialRow>({ model: a.model, where: key }),
    /** Fixtures `load`: stores the section's `admin` when there is one; answers how many rows (0 or 1). */
    async load(ctx: PluginContext, admin: AdminCredentialFixture | undefined): Promise<number> {
      if (!admin) return 0
      await set(ctx, admin.login, admin.password)
      return 1
    },
    /** Fixtures `export`: `{ admin }` with the stored hash (loads back as it is), or `{}` when none is set. */
    async export(ctx: PluginContext): Promise<{ admin?: AdminCredentialFixture }> {
      const row = await ctx.storage.findOne<AdminCredentialRow>({ model: a.model, where: key })
      return row ? { admin: { login: row.login, password: row.password_hash } } : {}
    },
    /**
     * `mailfront <pluginId> admin set <login> [password]`: prints a generated password when none is
     * given; `note` adds fields to what it prints (e.g. that an environment credential wins).
     */
    setCommand<C extends PluginContext>(
      pluginId: string,
      opts: { description?: string; note?(ctx: C): Record<string, unknown> } = {},
    ): CommandDef<C> {
      return {
        path: [pluginId, 'admin', 'set'],
        description:
          opts.description ?? 'Set the admin credential (prints a generated password when none is given)',
        args: [
          { name: 'login', description: 'admin login' },
          { name: 'password', description: 'admin password', optional: true },
        ],
        async run(ctx, [login, password]) {
          if (!login || login.includes(':')) throw new Error('the login must be non-empty and contain no ":"')
          const pw = password ?? randomSecret(18)
          await set(ctx, login, pw)
          return { login, password: password ? 'set' : pw, ...opts.note?.(ctx) }
        },
      }
    },
  }
}
export type AdminCredential = ReturnType<typeof adminCredential>
