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

/** What a thrown error may add to or change from its table entry. */
export interface ErrorOptions {
  message?: string
  status?: number
  details?: unknown
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * The codes the core raises itself (validation, body limit, HTTPS rule, rate limits, 404, crashes,
 * outages), with the status and text they carry unless a plugin's table says otherwise.
 */
export const CORE_ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'Validation failed' },
  BODY_TOO_LARGE: { status: 413, message: 'Request body too large' },
  HTTPS_REQUIRED: { status: 403, message: 'HTTPS is required' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  INTERNAL: { status: 500, message: 'Internal error' },
  /** The store is unreachable (StoreUnavailableError): 503 with Retry-After, in the plugin's format. */
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service temporarily unavailable, try again later' },
} as const satisfies Record<string, ErrorDef>

/** Core codes every plugin renderer must handle (`defineErrors` puts them in every table). */
export const CoreErrorCodes = Object.fromEntries(Object.keys(CORE_ERRORS).map((k) => [k, k])) as {
  readonly [K in keyof typeof CORE_ERRORS]: K
}

/** A table with the core's codes merged in: the plugin's entries win (and keep their order first). */
export type WithCoreErrors<T> = T & Omit<typeof CORE_ERRORS, keyof T>

/** One builder per code: `throw errors.NO_SUCH_ALIAS({ message })`. */
export type ErrorBuilders<T> = { readonly [K in keyof T & string]: (opts?: ErrorOptions) => ApiError }

export type ErrorSet<T> = ErrorBuilders<T> & {
  /** The table, the core's codes included: the plugin's `errors` field. */
  readonly table: T
  has(code: string): code is keyof T & string
  /** The code's entry, or undefined for a code the table does not list. */
  get(code: string): T[keyof T] | undefined
  status(code: keyof T & string): number
  /** Build the ApiError of a code known only at run time (the host's fault injection, a lookup). */
  error(code: keyof T & string, opts?: ErrorOptions): ApiError
}

/**
 * A plugin's error table, the one way a plugin defines its errors: UPPER_SNAKE code -> status and
 * message (and whatever else its wire needs, e.g. a numeric code). The core's seven codes are merged
 * in (`CORE_ERRORS`); the plugin lists only those it renders differently. Each code is a builder:
 * `throw errors.CODE({ message, details, headers })`.
 */
export function defineErrors<const T extends Record<string, ErrorDef>>(own: T): ErrorSet<WithCoreErrors<T>> {
  for (const key of Object.keys(own)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`error code "${key}" is not UPPER_SNAKE`)
  }
  type Table = WithCoreErrors<T>
  type Code = keyof Table & string
  const table = { ...own } as Record<string, ErrorDef>
  for (const [k, v] of Object.entries(CORE_ERRORS)) if (!Object.hasOwn(table, k)) table[k] = v
  const has = (code: string): code is Code => Object.hasOwn(table, code)
  const error = (code: Code, opts: ErrorOptions = {}) => {
    const def = table[code] as ErrorDef
    const { message, status, ...rest } = opts
    return new ApiError(code, status ?? def.status, message ?? def.message, rest)
  }
  const set: Record<string, unknown> = {
    table,
    has,
    get: (code: string) => (has(code) ? table[code] : undefined),
    status: (code: Code): number => table[code]!.status,
    error,
  }
  for (const code of Object.keys(table)) set[code] = (opts?: ErrorOptions) => error(code as Code, opts)
  return set as ErrorSet<Table>
}

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
