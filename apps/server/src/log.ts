import type { Logger } from '@mailfront/core'
import pino from 'pino'
import pretty from 'pino-pretty'

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
  'authentication',
  '*.authentication',
  'cookie',
  '*.cookie',
]

export type MailfrontLogger = Logger & pino.Logger & { access: Logger; flushSync(): void }

const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
}

/**
 * The one line per request, in pino's format, written straight to the same destination. It is built
 * by mailfront from fixed fields (no header, body or query string), so it needs neither redaction
 * nor pino's generic serializer, which together cost more than the rest of a small request.
 */
function accessLogger(level: string, dest: pino.DestinationStream): Logger {
  const min = LEVELS[level] ?? 30
  const line = (lvl: number) => (obj: object | string, msg?: string) => {
    if (lvl < min) return
    let out = `{"level":${lvl},"time":${Date.now()},"service":"mailfront"`
    if (typeof obj === 'string') msg = obj
    else
      for (const k in obj) {
        const v = (obj as Record<string, unknown>)[k]
        if (v !== undefined) out += `,${JSON.stringify(k)}:${JSON.stringify(v)}`
      }
    dest.write(`${out}${msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`}}\n`)
  }
  return { debug: line(20), info: line(30), warn: line(40), error: line(50) }
}

/** The logger, redacting every path above, and its `access` sibling for the request lines. */
export function createLogger(level: string, destination?: pino.DestinationStream): MailfrontLogger {
  // Lines are gathered up to 4 KiB (one write per batch, not per request) and flushed at least every
  // 200 ms, and synchronously before the process exits.
  const dest = destination ?? pino.destination({ sync: false, minLength: 4096 })
  if (!destination) setInterval(() => (dest as { flush?(): void }).flush?.(), 200).unref()
  const log = pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'mailfront' } },
    dest,
  )
  Object.defineProperty(log, 'access', { value: accessLogger(level, dest), enumerable: false })
  Object.defineProperty(log, 'flushSync', {
    value: () => {
      try {
        ;(dest as { flushSync?(): void }).flushSync?.()
      } catch {
        // nothing buffered, or the stream is already closed
      }
    },
    enumerable: false,
  })
  return log as MailfrontLogger
}

/** pino-pretty on stdout, for a terminal: the same lines, readable. */
export function prettyDestination(): pino.DestinationStream {
  return pretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
    sync: true,
  })
}
