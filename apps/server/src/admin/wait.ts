import type { MailPipeline } from '@mailfront/mail'

/** Checked this often too: mail captured by another instance (a shared PostgreSQL) emits nothing here. */
const POLL_MS = 500

/**
 * Run `find` now and again after each captured message (and every half second) until it finds
 * something, `timeoutMs` passes or `signal` aborts; then the last answer (null: nothing in time).
 */
export async function waitFor<T>(
  mail: MailPipeline,
  find: () => Promise<T | null>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs
  let wake: (() => void) | undefined
  // Set by a capture during find(): look again at once rather than at the next poll.
  let dirty = false
  const off = mail.onEvent((e) => {
    if (e.type !== 'submitted') return
    dirty = true
    wake?.()
  })
  const onAbort = () => wake?.()
  signal?.addEventListener('abort', onAbort)
  try {
    for (;;) {
      dirty = false
      const found = await find()
      const left = deadline - Date.now()
      if (found !== null || left <= 0 || signal?.aborted) return found
      if (dirty) continue
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, POLL_MS))
        wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
      wake = undefined
    }
  } finally {
    off()
    signal?.removeEventListener('abort', onAbort)
  }
}
