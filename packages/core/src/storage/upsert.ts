import type { StorageAdapter, Where } from './types.ts'
import { UniqueViolationError } from './types.ts'

/**
 * Update the one row a natural key selects, or create it. Each step is one statement: when another
 * writer creates the row between the two, the unique violation turns into an update, so concurrent
 * upserts (on any instances) leave one row, holding the last values written.
 */
export async function upsertOne(
  db: StorageAdapter,
  a: { model: string; key: { field: string; value: unknown }; set: Record<string, unknown> },
): Promise<void> {
  const where: Where = a.key
  if (await db.updateOne({ model: a.model, where, set: a.set })) return
  try {
    await db.create({ model: a.model, data: { ...a.set, [a.key.field]: a.key.value } })
  } catch (e) {
    if (!(e instanceof UniqueViolationError)) throw e
    await db.updateOne({ model: a.model, where, set: a.set })
  }
}
