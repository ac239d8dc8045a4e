import { defineErrors } from '@mailfront/core'
import { XML_ERROR_CODES } from './wire.ts'

/**
 * What AuthSMTP answers: application errors are 200 + the XML error object (see the renderer). The
 * core's codes are merged in; those listed here differ (a 200 XML error, AuthSMTP's texts).
 */
export const errors = defineErrors({
  UNAUTHORIZED: { status: 401, message: 'Not Authorized' },
  NOT_FOUND: { status: 404, message: 'Not Found' },
  RATE_LIMITED: { status: 200, message: XML_ERROR_CODES.RATE_LIMITED.message },
  LOGIN_THROTTLED: { status: 200, message: XML_ERROR_CODES.LOGIN_THROTTLED.message },
  NO_IP_ADDRESSES: { status: 200, message: XML_ERROR_CODES.NO_IP_ADDRESSES.message },
  HTTPS_REQUIRED: { status: 200, message: XML_ERROR_CODES.HTTPS_REQUIRED.message },
  INTERNAL: { status: 500, message: 'Internal Error' },
})
