import type { Clock, Logger, ModelSchema, RateLimitStore, StorageAdapter } from '@mailfront/core'
import {
  rateLimitModels,
  redisRateLimitStore,
  storageRateLimitStore,
  withRowCache,
} from '@mailfront/core/host'
import { openStorage } from '@mailfront/storage-sql'
import type { Config } from '../config.ts'

/** mailfront's own key/value rows: when the store was initialised, whether the demo was loaded. */
export const META = 'core_meta'
const coreModels: ModelSchema = {
  ...rateLimitModels,
  [META]: { fields: { key: { type: 'string', unique: true }, value: { type: 'string' } } },
}

export interface OpenedStore {
  storage: StorageAdapter
  rateLimits: RateLimitStore
  /** The store had never been initialised before this start. */
  newStore: boolean
}

/**
 * Open the store and migrate it to `models` (the core's own are added), mark it initialised, and open
 * the rate-limit store beside it. On a failure after opening, the store is closed again.
 */
export async function openStore(
  config: Config,
  log: Logger,
  clock: Clock,
  models: ModelSchema,
): Promise<OpenedStore> {
  // Principal rows (models with cacheMs) are reused for up to 1 s on this instance: withRowCache.
  const storage = withRowCache(
    await openStorage(config.databaseUrl, {
      // The pool drops the dead connection and opens a new one on the next query: one line, no crash.
      onConnectionError: (err) => log.warn({ reason: err.message }, 'database connection lost'),
    }),
    { clock },
  )
  try {
    await storage.migrate({ ...coreModels, ...models })
    let newStore = false
    if (!(await storage.findOne({ model: META, where: { field: 'key', value: 'initialized_at' } }))) {
      newStore = true
      await markInitialized(storage).catch(() => {
        newStore = false // another instance initialised it first
      })
    }
    const rateLimits = config.redisUrl
      ? redisRateLimitStore(config.redisUrl)
      : storageRateLimitStore(storage, { clock })
    return { storage, rateLimits, newStore }
  } catch (e) {
    await storage.close().catch(() => undefined)
    throw e
  }
}

/** Record the store as initialised (at start on a new store, and after a reset emptied it). */
export async function markInitialized(storage: StorageAdapter): Promise<void> {
  await storage.create({ model: META, data: { key: 'initialized_at', value: new Date().toISOString() } })
}
