import { HTTPException } from 'hono/http-exception'
import { isStoreUnavailable, STORE_RETRY_AFTER_S } from './storage/unavailable.ts'

/** Thrown by handlers; each plugin renders it in its own wire format. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  readonly details?: unknown
  readonly headers?: Record<string, string>

  constructor(
    code: string,
    status: number,
    message: string,
    opts: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.details = opts.details
    this.headers = opts.headers
  }
}

export interface ErrorDef {
  status: number
  message: string
}

/**
 * A plugin's error table, the one way a plugin defines its errors: UPPER_SNAKE code -> status and
 * message (and whatever else its wire needs, e.g. a numeric code). `errors.table` is what the
 * plugin's `errors` field lists; `error(code)` builds the ApiError to throw.
 */
export function defineErrors<const T extends Record<string, ErrorDef>>(table: T) {
  for (const key of Object.keys(table)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`error code "${key}" is not UPPER_SNAKE`)
  }
  type Code = keyof T & string
  const has = (code: string): code is Code => Object.hasOwn(table, code)
  return {
    table,
    has,
    /** The code's entry, or undefined for a code of the shared layers the table does not list. */
    get: (code: string): T[Code] | undefined => (has(code) ? (table[code] as T[Code]) : undefined),
    status: (code: Code): number => table[code]!.status,
    /** Build the ApiError for a code; `status` and `message` override the table's. */
    error(
      code: Code,
      opts: { message?: string; status?: number; details?: unknown; headers?: Record<string, string> } = {},
    ) {
      const def = table[code] as ErrorDef
      const { message, status, ...rest } = opts
      return new ApiError(code, status ?? def.status, message ?? def.message, rest)
    },
  }
}

/** Core codes every plugin renderer must handle (its own table may map them). */
export const CoreErrorCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  HTTPS_REQUIRED: 'HTTPS_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL: 'INTERNAL',
  /** The store is unreachable (StoreUnavailableError): 503 with Retry-After, in the plugin's format. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const

/** The 503 every plugin renders while its store is unreachable. */
export function storeUnavailableApiError(cause?: unknown): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', 503, 'Service temporarily unavailable, try again later', {
    headers: { 'Retry-After': String(STORE_RETRY_AFTER_S) },
    cause,
  })
}

/** Any thrown value as an ApiError: store outages as 503, Hono's HTTPException by its status. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (isStoreUnavailable(err)) return storeUnavailableApiError(err)
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ApiError('BODY_TOO_LARGE', 413, 'Request body too large')
    return new ApiError(
      err.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
      err.status,
      err.message || 'Bad Request',
    )
  }
  return new ApiError('INTERNAL', 500, 'Internal Server Error', { cause: err })
}

/** Flatten zod issues into `{path, message}` rows (no raw zod output on the wire). */
export function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}
