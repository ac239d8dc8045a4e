/**
 * A fault's latency: wait `ms`, cut short when `signal` aborts (the client went away, the server is
 * closing), so no real handler runs later against a store that has been closed. True when the whole
 * wait passed; false when it was cut short (then the caller must not go on to the real handling).
 */
export function faultLatency(ms: number | undefined, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  if (!ms) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (passed: boolean) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', cut)
      resolve(passed)
    }
    const cut = () => done(false)
    const timer = setTimeout(() => done(true), ms)
    signal?.addEventListener('abort', cut, { once: true })
  })
}
