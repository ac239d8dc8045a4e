import { type StorageAdapter, StoreUnavailableError } from '@mailfront/core'
import { aroundStorageMethods, STORAGE_CALLS } from '@mailfront/core/host'

// PostgreSQL SQLSTATEs that mean "this server cannot serve now", whenever they come: class 08
// (connection exception), class 53 (insufficient resources: too many connections, disk full, out of
// memory), 57P (operator intervention: admin or crash shutdown, cannot connect now, database
// dropped).
const PG_OUTAGE_STATES = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P[0-9A-Z]{2})$/
// Those that mean it only while a connection is being opened: 55000 "database is not currently
// accepting connections" (ALLOW_CONNECTIONS false), 3D000 the database does not exist (yet, or
// any more), class 28 a login refused (a rotated password). On a running query 55000 is a bug of ours.
const PG_CONNECT_STATES = /^(55000|3D000|28[0-9A-Z]{3})$/
// Node's socket and resolver errors: the server or the path to it is gone.
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// pg's own wording for a connection that died, or a pool that could not get one in time.
const PG_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|connection is closed/i
// SQLite: I/O errors, a lock still held after busy_timeout, an unopenable or full database file.
const SQLITE_CODES = /^SQLITE_(IOERR|BUSY|CANTOPEN|FULL|PROTOCOL)(_\w+)?$/

const whileConnecting = new WeakSet<object>()

/** Mark an error as raised while opening a connection (a refused login means the store is down). */
export function connectError<E>(e: E): E {
  if (e && typeof e === 'object') whileConnecting.add(e)
  return e
}

/** Is this driver error an outage (the store cannot serve now) rather than a bug or bad data? */
export function isStoreOutage(e: unknown, connecting = false): boolean {
  if (!e || typeof e !== 'object') return false
  const err = e as { code?: unknown; message?: unknown; errors?: unknown[] }
  const code = typeof err.code === 'string' ? err.code : ''
  connecting ||= whileConnecting.has(e)
  if (PG_OUTAGE_STATES.test(code) || NET_CODES.has(code) || SQLITE_CODES.test(code)) return true
  if (connecting && PG_CONNECT_STATES.test(code)) return true
  if (typeof err.message === 'string' && PG_MESSAGES.test(err.message)) return true
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  return Array.isArray(err.errors) && err.errors.some((x) => isStoreOutage(x, connecting))
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
