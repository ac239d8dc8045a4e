import type { RateLimitWindow } from './types.ts'

/**
 * A rate limit a plugin enforces, declared once on the plugin (`rateLimits`): the plugin's code
 * takes its window from here, and `mailfront --help`, the README and the metrics' `limit` label read
 * the same declaration, so no number is written twice.
 */
export interface RateLimitDef<O = Record<string, unknown>> {
  /** Short name, unique in the plugin (`api-calls`). */
  name: string
  /** What one window counts, and per what key: `API requests per user id`. */
  counts: string
  /** The option (camelCase key) that sets it, 0 turning it off; none for a fixed limit. */
  option?: string
  /** The window under these options, or null when they turn the limit off. */
  window(options: O): RateLimitWindow | null
}

/** Type a plugin's rate limit by its options. */
export function defineRateLimit<O>(def: RateLimitDef<O>): RateLimitDef<O> {
  return def
}

/** `1 per 20 s`, `1200 per 60 s`: a window as `--help` and the README say it. */
export function describeWindow(w: RateLimitWindow): string {
  return `${w.max} per ${w.windowMs / 1000} s`
}
