import { type ApiError, defineErrors } from '@mailfront/core'

/**
 * Every error tmail answers, as `{msg, raw}` at its status. The code names the case for logs and docs.
 * The core's codes are merged in; those listed here are worded as tmail words them. Throw
 * `errors.CODE({ message, ...raw(text) })`.
 */
export const errors = defineErrors({
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  TOO_MANY_ATTEMPTS: { status: 403, message: 'too many authentication attempts' },
  BAD_JSON: { status: 400, message: 'unable to get JSON body' },
  BAD_MESSAGE_ID: { status: 400, message: 'unable to get message id' },
  NO_SUCH_USER: { status: 404, message: 'no such user <login>' },
  NO_SUCH_MESSAGE: { status: 404, message: 'no such message <id>' },
  NOT_FOUND: { status: 404, message: '404 page not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method Not Allowed' },
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

/** tmail's `raw` (the underlying error's text), with the answer's headers: `errors.CODE(raw(text))`. */
export const raw = (text: string, headers?: Record<string, string>) => ({
  details: { raw: text },
  ...(headers ? { headers } : {}),
})

export const rawOf = (e: ApiError): string => {
  const d = e.details as { raw?: unknown } | undefined
  return typeof d?.raw === 'string' ? d.raw : ''
}
