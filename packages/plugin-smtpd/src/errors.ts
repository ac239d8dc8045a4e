import { type ApiError, defineErrors } from '@mailfront/core'

/**
 * Every error SMTPD answers, `{code, message}` at an HTTP status. `source`: the seed or its docs, or
 * ours (same five-digit style: the HTTP-like prefix plus a sub-code).
 */
export const errors = defineErrors({
  VALIDATION_FAILED: { code: 40001, status: 400, message: 'Validation failed', source: 'ours' },
  UNSUPPORTED_GRANT: { code: 40002, status: 400, message: 'Unsupported grant_type', source: 'ours' },
  BAD_TOKEN: { code: 40101, status: 401, message: 'Missing or invalid bearer token', source: 'ours' },
  DOMAIN_NOT_READY: {
    code: 40020,
    status: 400,
    message: 'Sending domain does not exist OR incorectly setup',
    source: 'docs',
  },
  BAD_CREDENTIALS: {
    code: 40102,
    status: 403,
    message: 'Username and password are incorrect',
    source: 'seed',
  },
  TOKEN_EXPIRED: { code: 40103, status: 401, message: 'Access token has expired', source: 'ours' },
  BAD_REFRESH: { code: 40106, status: 403, message: 'Refresh token is invalid', source: 'seed' },
  FORBIDDEN_ROLE: {
    code: 40301,
    status: 403,
    message: 'Your role does not allow this action',
    source: 'ours',
  },
  HTTPS_REQUIRED: {
    code: 40302,
    status: 403,
    message: 'All API requests must be made over HTTPS',
    source: 'ours',
  },
  PLAN_FEATURE: {
    code: 40303,
    status: 403,
    message: 'Your plan does not include this feature',
    source: 'ours',
  },
  PLAN_PROFILE_LIMIT: {
    code: 40304,
    status: 403,
    message: 'The sending profile limit of the plan has been reached',
    source: 'ours',
  },
  PLAN_TEMPLATE_LIMIT: {
    code: 40305,
    status: 403,
    message: 'The template limit of the plan has been reached',
    source: 'ours',
  },
  PLAN_FORM_LIMIT: {
    code: 40306,
    status: 403,
    message: 'The form limit of the plan has been reached',
    source: 'ours',
  },
  PLAN_API_KEY_LIMIT: {
    code: 40307,
    status: 403,
    message: 'The API key limit of the plan has been reached',
    source: 'ours',
  },
  BAD_ID: { code: 40401, status: 404, message: 'Resource ID provided is invalid', source: 'docs' },
  NOT_FOUND: { code: 40402, status: 404, message: 'Not found', source: 'ours' },
  ACCOUNT_NOT_VERIFIED: {
    code: 40901,
    status: 409,
    message: 'Account has not been verified',
    source: 'docs',
  },
  EMAIL_TAKEN: { code: 40902, status: 409, message: 'Email address is already registered', source: 'ours' },
  ACCOUNT_NAME_TAKEN: { code: 40903, status: 409, message: 'Account name is already taken', source: 'ours' },
  PROFILE_NAME_TAKEN: {
    code: 40904,
    status: 409,
    message: 'A sending profile with this name already exists',
    source: 'ours',
  },
  BODY_TOO_LARGE: { code: 41301, status: 413, message: 'Request body too large', source: 'ours' },
  RATE_LIMITED: { code: 42901, status: 429, message: 'Too many requests', source: 'ours' },
  PLAN_LIMIT: {
    code: 42902,
    status: 429,
    message: 'The monthly e-mail limit of the plan has been reached',
    source: 'ours',
  },
  INTERNAL: { code: 50001, status: 500, message: 'Internal error', source: 'ours' },
  SERVICE_UNAVAILABLE: {
    code: 50301,
    status: 503,
    message: 'Service temporarily unavailable, try again later',
    source: 'ours',
  },
  MAIL_UNAVAILABLE: { code: 50302, status: 503, message: 'Sending is not available', source: 'ours' },
})
/** The table itself: numeric codes, statuses and messages (the docs list them). */
export const ERRORS = errors.table

export type SmtpdErrorName = keyof typeof ERRORS

/** The login throttle's refusal: 42901, before any credential is checked. */
export function loginThrottled(retryAfterS: number) {
  return errors.RATE_LIMITED({
    message: 'Too many login attempts, try again later',
    headers: { 'Retry-After': String(retryAfterS) },
  })
}

/** The wire body of any error (errors from the shared layers included). */
export function errorBody(err: ApiError): { status: number; body: { code: number; message: string } } {
  const known = errors.get(err.code)
  if (err.code === 'VALIDATION_FAILED' && Array.isArray(err.details) && err.details.length) {
    // The first problem, named by its field: `Validation failed: email_address: Invalid email address`.
    const first = err.details[0] as { path: string; message: string }
    const where = first.path ? `${first.path}: ` : ''
    return {
      status: 400,
      body: { code: ERRORS.VALIDATION_FAILED.code, message: `Validation failed: ${where}${first.message}` },
    }
  }
  // Errors raised by the shared layers carry their own wording: answer the table's.
  const shared = ['HTTPS_REQUIRED', 'INTERNAL', 'BODY_TOO_LARGE', 'SERVICE_UNAVAILABLE'].includes(err.code)
  if (known)
    return {
      status: known.status === 500 ? 500 : err.status,
      body: { code: known.code, message: shared ? known.message : err.message },
    }
  if (err.status === 413)
    return { status: 413, body: { code: ERRORS.BODY_TOO_LARGE.code, message: ERRORS.BODY_TOO_LARGE.message } }
  if (err.status >= 500)
    return { status: 500, body: { code: ERRORS.INTERNAL.code, message: ERRORS.INTERNAL.message } }
  return { status: 400, body: { code: ERRORS.VALIDATION_FAILED.code, message: err.message } }
}
