import type { StorageAdapter } from '@mailfront/core'
import { aroundStorageMethods, STORAGE_CALLS } from '@mailfront/core/host'

const isBusy = (e: unknown) => /^SQLITE_BUSY/.test(String((e as { code?: unknown } | null)?.code ?? ''))
const QUIET = 250
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Wait for another process's lock without blocking the event loop. better-sqlite3 is synchronous:
 * SQLite's own `busy_timeout` would sleep inside the call, freezing every request (5 s per write
 * while a backup or a sqlite3 shell held the file). The connection runs with `busy_timeout = 0`
 * (a refused attempt costs ~15 µs) and a call refused with SQLITE_BUSY is tried again after a
 * timer (2, 4, 8 … 50 ms) until `waitMs` has passed since the lock was met; then the error stands, and
 * reportingOutages makes it a StoreUnavailableError (a 503 with Retry-After).
 *
 * A transaction is tried again only if its function has not started: transactions begin
 * IMMEDIATE (see cachingDatabase), so the lock is taken (or refused) before it runs.
 */
export function waitingForLocks(adapter: StorageAdapter, waitMs: number): StorageAdapter {
  // One wait per lock, not per call: a request making several calls, or arriving while the lock has
  // been held past `waitMs`, is not made to wait again. The lock counts as the same one while some
  // call met it in the last QUIET ms.
  let lockSeen = 0
  let lastBusy = Number.NEGATIVE_INFINITY
  async function retry<T>(call: () => Promise<T>, again: () => boolean = () => true): Promise<T> {
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return await call()
      } catch (e) {
        if (!isBusy(e)) throw e
        const now = Date.now()
        if (now - lastBusy > QUIET) lockSeen = now
        lastBusy = now
        if (!again() || now + pause > lockSeen + waitMs) throw e
        await sleep(pause)
      }
    }
  }
  const out = aroundStorageMethods(adapter, [...STORAGE_CALLS, 'ping', 'scanRaw'], (call) => retry(call))
  out.transaction = (fn) => {
    let started = false
    return retry(
      () =>
        adapter.transaction((tx) => {
          started = true
          return fn(tx)
        }),
      () => !started,
    )
  }
  return out
}
