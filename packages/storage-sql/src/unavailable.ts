import {
  aroundStorageMethods,
  STORAGE_CALLS,
  type StorageAdapter,
  StoreUnavailableError,
} from '@mailfront/core'

// PostgreSQL SQLSTATEs that mean "this connection or server cannot serve now": class 08 (connection
// exception), 57P01 admin shutdown (pg_terminate_backend, a restart), 57P02 crash shutdown, 57P03
// cannot connect now (starting up, in recovery), 53300 too many connections.
const PG_STATES = /^(08...|57P0[123]|53300)$/
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// pg's own wording for a connection that died, or a pool that could not get one in time.
const PG_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|connection is closed/i
// SQLite: I/O errors, a lock still held after busy_timeout, an unopenable or full database file.
const SQLITE_CODES = /^SQLITE_(IOERR|BUSY|CANTOPEN|FULL|PROTOCOL)(_\w+)?$/

/** Is this driver error an outage (the store cannot serve now) rather than a bug or bad data? */
export function isStoreOutage(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false
  const err = e as { code?: unknown; message?: unknown; errors?: unknown[] }
  const code = typeof err.code === 'string' ? err.code : ''
  if (PG_STATES.test(code) || NET_CODES.has(code) || SQLITE_CODES.test(code)) return true
  if (typeof err.message === 'string' && PG_MESSAGES.test(err.message)) return true
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  return Array.isArray(err.errors) && err.errors.some(isStoreOutage)
}

/** The adapter, with every outage error replaced by the core's StoreUnavailableError. */
export function reportingOutages(adapter: StorageAdapter, store: string): StorageAdapter {
  return aroundStorageMethods(adapter, [...STORAGE_CALLS, 'transaction', 'ping', 'scanRaw'], async (call) => {
    try {
      return await call()
    } catch (e) {
      if (isStoreOutage(e)) throw new StoreUnavailableError(store, e)
      throw e
    }
  })
}
