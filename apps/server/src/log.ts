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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger & pino.Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'mailfront' } },
    destination ?? pino.destination({ sync: false }),
  )
}
