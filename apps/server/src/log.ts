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

export type MailfrontLogger = Logger &
  pino.Logger & { access: Logger; flushSync(): void; flushWithin(ms?: number): Promise<void> }

const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
}

/** A string JSON.stringify writes as it is: printable ASCII without quotes and backslashes. */
const PLAIN = /^[ !#-[\]-~]*$/

/**
 * The one line per request, in pino's format, written straight to the same destination. It is built
 * by mailfront from fixed fields (no header, body or query string), so it needs neither redaction
 * nor pino's generic serializer, which together cost more than the rest of a small request.
 */
function accessLogger(level: string, dest: pino.DestinationStream): Logger {
  const min = LEVELS[level] ?? 30
  // Each key's `,"key":` made once; a number or a string with nothing to escape written as it is
  // (what JSON.stringify would write, without its allocations: the line is once per request).
  const keys = new Map<string, string>()
  const value = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : typeof v === 'string' && PLAIN.test(v)
        ? `"${v}"`
        : JSON.stringify(v)
  const line = (lvl: number) => (obj: object | string, msg?: string) => {
    if (lvl < min) return
    let out = `{"level":${lvl},"time":${Date.now()},"service":"mailfront"`
    if (typeof obj === 'string') msg = obj
    else
      for (const k in obj) {
        const v = (obj as Record<string, unknown>)[k]
        if (v === undefined) continue
        let key = keys.get(k)
        if (key === undefined) {
          key = `,${JSON.stringify(k)}:`
          keys.set(k, key)
        }
        out += key + value(v)
      }
    dest.write(`${out}${msg === undefined ? '' : `,"msg":${value(msg)}`}}\n`)
  }
  return { debug: line(20), info: line(30), warn: line(40), error: line(50) }
}

const BATCH = 4096

type SonicBoom = ReturnType<typeof pino.destination>

/**
 * Lines gathered into one string before they reach sonic-boom, whose `write()` measures the UTF-8
 * length of all it holds on every call (flattening it): with a line per request that allocated
 * kilobytes per request. Every line (pino's and the access lines) goes through here, in order.
 */
function batched(boom: SonicBoom): pino.DestinationStream & {
  flush(cb?: (err?: Error) => void): void
  flushSync(): void
} {
  let buf = ''
  // The reader went away (EPIPE: `mailfront serve | head -1`): lines are dropped from then on. Left
  // alone, sonic-boom's flushSync retries a failed write forever and a stop never ends.
  let broken = false
  boom.on('error', () => {
    broken = true
    buf = ''
  })
  const push = () => {
    if (!buf) return
    const s = buf
    buf = ''
    if (!broken) boom.write(s)
  }
  return {
    write(s: string) {
      buf += s
      if (buf.length >= BATCH) push()
    },
    flush(cb?: (err?: Error) => void) {
      push()
      if (broken) cb?.()
      else boom.flush(cb)
    },
    flushSync() {
      push()
      if (!broken) boom.flushSync()
    },
  }
}

/** Each logger's bound keys (its child bindings and `service`), read once per logger. */
const boundKeys = new WeakMap<object, Set<string>>()

/**
 * pino writes a child's bindings and then the call's object as they are, so a key in both (a plugin's
 * `{ plugin: id }` under its `plugin`-bound child) came out twice. The logger's binding stands;
 * the call's copy is dropped.
 */
function withoutBoundKeys(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const obj: unknown = args[0]
  if (obj && typeof obj === 'object' && !(obj instanceof Error)) {
    let keys = boundKeys.get(this)
    if (!keys) {
      keys = new Set(Object.keys(this.bindings()))
      boundKeys.set(this, keys)
    }
    let copy: Record<string, unknown> | undefined
    for (const k of keys)
      if (Object.hasOwn(obj, k)) {
        copy ??= { ...(obj as Record<string, unknown>) }
        delete copy[k]
      }
    if (copy) args = [copy, ...(args.slice(1) as [string])] as Parameters<pino.LogFn>
  }
  method.apply(this, args)
}

/** The logger, redacting every path above, and its `access` sibling for the request lines. */
export function createLogger(level: string, destination?: pino.DestinationStream): MailfrontLogger {
  // Lines are gathered up to 4 KiB (one write per batch, not per request) and flushed at least every
  // 200 ms, and synchronously before the process exits.
  const dest = destination ?? batched(pino.destination({ sync: false, minLength: BATCH }))
  if (!destination) setInterval(() => (dest as { flush?(): void }).flush?.(), 200).unref()
  const log = pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { service: 'mailfront' },
      hooks: { logMethod: withoutBoundKeys },
    },
    dest,
  )
  Object.defineProperty(log, 'access', { value: accessLogger(level, dest), enumerable: false })
  Object.defineProperty(log, 'flushWithin', {
    // Written out asynchronously first, for at most `ms`: a write that fails here (a closed pipe)
    // marks the destination broken before the synchronous flush could spin on it.
    value: (ms = 1000) =>
      new Promise<void>((resolve) => {
        const d = dest as { flush?(cb?: (err?: Error) => void): void }
        if (!d.flush) return resolve()
        const timer = setTimeout(resolve, ms)
        d.flush(() => {
          clearTimeout(timer)
          resolve()
        })
      }),
    enumerable: false,
  })
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
