/**
 * A promise's progress, read without waiting on time: `settled()` lets pending wake-ups (microtasks
 * and the I/O they start) run for one turn, then tells whether it resolved or rejected so far. For
 * "not yet" before a clock is moved, and "now" after, with no sleep.
 */
export function watch<T>(promise: Promise<T>) {
  const state = { done: false, error: undefined as unknown }
  promise.then(
    () => {
      state.done = true
    },
    (e) => {
      state.error = e
    },
  )
  const settled = () => new Promise<typeof state>((r) => setImmediate(() => r(state)))
  return { promise, settled }
}
