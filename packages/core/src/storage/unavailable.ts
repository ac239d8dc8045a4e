/**
 * The store (database, or the Redis of the rate limits) cannot be reached or cannot serve now: a lost
 * connection, a server restarting, a disk error. Storage adapters throw it instead of the driver's
 * error; the core answers it with a 503 `SERVICE_UNAVAILABLE` ApiError that each plugin renders in its
 * own format (see `storeUnavailableApiError`). Nothing is retried here: the next request tries again,
 * and the adapters reconnect on demand.
 */
export class StoreUnavailableError extends Error {
  constructor(
    /** Which store: `postgres`, `sqlite`, `redis`, ... */
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} is unavailable: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause })
    this.name = 'StoreUnavailableError'
  }
}

/** Also true for an error from another copy of this module (a brand check, not only instanceof). */
export function isStoreUnavailable(e: unknown): e is StoreUnavailableError {
  return e instanceof StoreUnavailableError || (e as Error | undefined)?.name === 'StoreUnavailableError'
}

/** Seconds a client is told to wait (Retry-After) while the store is unavailable. */
export const STORE_RETRY_AFTER_S = 5
