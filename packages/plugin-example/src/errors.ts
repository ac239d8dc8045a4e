import { type ApiError, defineErrors } from '@mailfront/core'

/**
 * Every error this API answers, as `{"error":{"code","message"}}` at its status. The table is the
 * one place a code, its status and its text are written; handlers `throw ERRORS.NO_SUCH_ALIAS()`.
 * The core's codes (validation, body limit, HTTPS, 404, outage…) are merged in by `defineErrors`:
 * only those whose text differs here are listed.
 */
export const ERRORS = defineErrors({
  BAD_REQUEST: { status: 400, message: 'Malformed request' },
  UNAUTHORIZED: { status: 401, message: 'Authentication required' },
  NO_SUCH_ALIAS: { status: 404, message: 'No such alias' },
  TOO_MANY_DESTINATIONS: { status: 422, message: 'Too many destinations' },
  TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many failed logins, try again later' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service temporarily unavailable' },
})

export type ExampleErrorCode = keyof typeof ERRORS.table

/** The wire body of an error. Server-side failures answer the table's text, never the cause's. */
export function errorBody(err: ApiError): { error: { code: string; message: string; details?: unknown } } {
  const known = ERRORS.table[err.code as ExampleErrorCode]
  const code = known ? err.code : err.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'
  const message = err.status >= 500 ? ERRORS.table[code as ExampleErrorCode].message : err.message
  const details = err.status < 500 && Array.isArray(err.details) ? { details: err.details } : {}
  return { error: { code, message, ...details } }
}
