import { type ApiError, defineErrors } from '@mailfront/core'

/** Every error tmail answers, as `{msg, raw}` at its status. The code names the case for logs and docs. */
export const errors = defineErrors({
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  TOO_MANY_ATTEMPTS: { status: 403, message: 'too many authentication attempts' },
  HTTPS_REQUIRED: { status: 403, message: 'HTTPS is required' },
  BAD_JSON: { status: 400, message: 'unable to get JSON body' },
  BAD_MESSAGE_ID: { status: 400, message: 'unable to get message id' },
  NO_SUCH_USER: { status: 404, message: 'no such user <login>' },
  NO_SUCH_MESSAGE: { status: 404, message: 'no such message <id>' },
  NOT_FOUND: { status: 404, message: '404 page not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method Not Allowed' },
  BODY_TOO_LARGE: { status: 413, message: 'Request body too large' },
  CREATE_FAILED: { status: 422, message: 'unable to create new user' },
  PASSWORD_FAILED: { status: 422, message: 'unable to change user password' },
  DISCARD_FAILED: { status: 422, message: 'unable to discard message <id>' },
  BOUNCE_FAILED: { status: 422, message: 'unable to bounce message <id>' },
  INTERNAL: { status: 500, message: 'internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'service temporarily unavailable' },
})
/** The table itself (the docs list its statuses and messages). */
export const ERRORS = errors.table

export type TmailErrorCode = keyof typeof ERRORS

/** An error with tmail's `msg` and `raw`. */
export function tmailError(
  code: TmailErrorCode,
  msg: string = ERRORS[code].message,
  raw = '',
  headers?: Record<string, string>,
): ApiError {
  return errors.error(code, { message: msg, details: { raw }, ...(headers ? { headers } : {}) })
}

export const rawOf = (e: ApiError): string => {
  const d = e.details as { raw?: unknown } | undefined
  return typeof d?.raw === 'string' ? d.raw : ''
}
