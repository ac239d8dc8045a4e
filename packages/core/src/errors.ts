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

/** A plugin's error table: UPPER_SNAKE code -> status and message. */
export function defineErrors<const T extends Record<Uppercase<string>, ErrorDef>>(table: T) {
  for (const key of Object.keys(table)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`error code "${key}" is not UPPER_SNAKE`)
  }
  return {
    table,
    /** Build the ApiError for a code, optionally overriding the message. */
    error(
      code: keyof T & string,
      opts: { message?: string; details?: unknown; headers?: Record<string, string> } = {},
    ) {
      const def = table[code] as ErrorDef
      return new ApiError(code, def.status, opts.message ?? def.message, opts)
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

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (isStoreUnavailable(err)) return storeUnavailableApiError(err)
  return new ApiError('INTERNAL', 500, 'Internal Server Error', { cause: err })
}

/** Flatten zod issues into `{path, message}` rows (no raw zod output on the wire). */
export function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}
