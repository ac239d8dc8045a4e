/**
 * A rate-limit refusal is counted once (`mailfront_rate_limited_total`). The core counts a
 * `RATE_LIMITED` error when it answers it (renderPluginError); a refusal already counted where it was
 * decided (the login throttle's `onRefused`, which also serves the SMTP port) is marked, so the
 * answer does not count it again.
 */
const counted = new WeakSet<object>()

export function markRefusalCounted<E extends object>(err: E): E {
  counted.add(err)
  return err
}

export const refusalCounted = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && counted.has(err)
