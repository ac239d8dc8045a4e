import { type PluginContext, upsertOne } from '@mailfront/core'
import { ERRORS } from './errors.ts'
import { ALIAS, type AliasRow } from './store.ts'

const byAddress = (address: string) => ({ field: 'address', value: address.toLowerCase() })

export function listAliases(ctx: PluginContext, domain?: string): Promise<AliasRow[]> {
  return ctx.storage.findMany<AliasRow>({
    model: ALIAS,
    ...(domain ? { where: { field: 'domain', value: domain.toLowerCase() } } : {}),
    sort: [{ field: 'address' }],
  })
}

export async function getAlias(ctx: PluginContext, address: string): Promise<AliasRow> {
  const row = await ctx.storage.findOne<AliasRow>({ model: ALIAS, where: byAddress(address) })
  if (!row) throw ERRORS.NO_SUCH_ALIAS({ message: `No such alias ${address}` })
  return row
}

/** Create or replace an alias (one row per address, whatever runs concurrently). */
export async function putAlias(
  ctx: PluginContext,
  address: string,
  input: { destinations: string[]; comment: string },
): Promise<{ row: AliasRow; created: boolean }> {
  const key = byAddress(address)
  const existing = await ctx.storage.findOne<AliasRow>({ model: ALIAS, where: key })
  const now = ctx.clock.now()
  const set = {
    domain: key.value.split('@')[1] ?? '',
    destinations: [...new Set(input.destinations.map((d) => d.toLowerCase()))],
    comment: input.comment,
    // Kept as read, so that a create racing this one still gets every required field.
    created_at: existing?.created_at ?? now,
    updated_at: now,
  }
  await upsertOne(ctx.storage, { model: ALIAS, key, set })
  return { row: await getAlias(ctx, address), created: !existing }
}

export async function deleteAlias(ctx: PluginContext, address: string): Promise<void> {
  if (!(await ctx.storage.deleteOne({ model: ALIAS, where: byAddress(address) })))
    throw ERRORS.NO_SUCH_ALIAS({ message: `No such alias ${address}` })
}
