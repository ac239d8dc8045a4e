import type { Logger } from '@mailfront/core'
import pino from 'pino'

/** Paths never written to logs, whatever a caller passes in. */
export const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["hpls-auth"]',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'passwd',
  '*.passwd',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'session',
  '*.session',
  'api_password',
  '*.api_password',
]

export type MailfrontLogger = Logger & pino.Logger & { access: Logger }

/**
 * The logger, redacting every path above, and its `access` sibling for the one line per request.
 * That line is built by mailfront from fixed fields (no header, body or query string), so it skips
 * redaction, which costs more than the rest of a small request.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): MailfrontLogger {
  const dest = destination ?? pino.destination({ sync: false })
  const base = { service: 'mailfront' }
  const log = pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base }, dest)
  Object.defineProperty(log, 'access', { value: pino({ level, base }, dest), enumerable: false })
  return log as MailfrontLogger
}
