import { ApiError, defineErrors, RpcError } from '@mailfront/core'

export type Lang = 'en' | 'de'

/**
 * Application error codes, in one table: the JSON-RPC `code`, the English `message` and its German
 * `de` (every answer is HTTP 200, the error is in the body). 2 and 253 are mailbox.org's documented
 * codes; the 1xxx codes are ours (no public source lists others): replace a row when a real code is observed.
 */
export const APP_ERRORS = {
  ACCESS_DENIED: { code: 2, status: 200, message: 'Access denied', de: 'Zugriff verweigert', source: 'seed' },
  TOO_MANY_FAILURES: {
    code: 2,
    status: 200,
    message: 'Access denied: too many failed logins, wait {seconds} seconds',
    de: 'Zugriff verweigert: zu viele fehlgeschlagene Anmeldungen, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  INVALID_AUTH_ID: {
    code: 253,
    status: 200,
    message: 'This Auth-ID is invalid',
    de: 'Diese Auth-ID ist ungültig',
    source: 'reference',
  },
  ACCOUNT_NOT_FOUND: {
    code: 1001,
    status: 200,
    message: 'Account not found',
    de: 'Account nicht gefunden',
    source: 'ours',
  },
  ACCOUNT_EXISTS: {
    code: 1002,
    status: 200,
    message: 'Account already exists',
    de: 'Account existiert bereits',
    source: 'ours',
  },
  DOMAIN_NOT_FOUND: {
    code: 1003,
    status: 200,
    message: 'Domain not found',
    de: 'Domain nicht gefunden',
    source: 'ours',
  },
  DOMAIN_EXISTS: {
    code: 1004,
    status: 200,
    message: 'Domain already exists',
    de: 'Domain existiert bereits',
    source: 'ours',
  },
  MAIL_NOT_FOUND: {
    code: 1005,
    status: 200,
    message: 'Mail address not found',
    de: 'E-Mail-Adresse nicht gefunden',
    source: 'ours',
  },
  MAIL_EXISTS: {
    code: 1006,
    status: 200,
    message: 'Mail address already exists',
    de: 'E-Mail-Adresse existiert bereits',
    source: 'ours',
  },
  SAME_PASSWORD: {
    code: 1007,
    status: 200,
    message: 'The new password must differ from the old one',
    de: 'Das neue Passwort muss sich vom alten unterscheiden',
    source: 'ours',
  },
  INVALID_DATES: {
    code: 1009,
    status: 200,
    message: 'The end date is before the start date',
    de: 'Das Enddatum liegt vor dem Startdatum',
    source: 'ours',
  },
  APP_PASSWORD_NOT_FOUND: {
    code: 1010,
    status: 200,
    message: 'App password not found',
    de: 'App-Passwort nicht gefunden',
    source: 'ours',
  },
  MAILING_LIST_NOT_FOUND: {
    code: 1011,
    status: 200,
    message: 'Mailing list not found',
    de: 'Mailingliste nicht gefunden',
    source: 'ours',
  },
  MAILING_LIST_EXISTS: {
    code: 1012,
    status: 200,
    message: 'Mailing list already exists',
    de: 'Mailingliste existiert bereits',
    source: 'ours',
  },
  SERVICE_UNAVAILABLE: {
    code: -32000,
    status: 200,
    message: 'Service temporarily unavailable, try again later',
    de: 'Dienst vorübergehend nicht verfügbar, bitte später erneut versuchen',
    source: 'ours (JSON-RPC server-error range)',
  },
  RATE_LIMITED: {
    code: 1008,
    status: 200,
    message: 'Too many requests for this session, wait {seconds} seconds',
    de: 'Zu viele Anfragen für diese Sitzung, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  INVOICE_NOT_FOUND: {
    code: 1013,
    status: 200,
    message: 'Invoice not found',
    de: 'Rechnung nicht gefunden',
    source: 'ours',
  },
  GROUP_NOT_FOUND: {
    code: 1014,
    status: 200,
    message: 'Group not found',
    de: 'Gruppe nicht gefunden',
    source: 'ours',
  },
  GROUP_EXISTS: {
    code: 1015,
    status: 200,
    message: 'Group already exists',
    de: 'Gruppe existiert bereits',
    source: 'ours',
  },
  VIDEOCHAT_NOT_FOUND: {
    code: 1016,
    status: 200,
    message: 'Video chat room not found',
    de: 'Videokonferenzraum nicht gefunden',
    source: 'ours',
  },
  ADDITIONAL_ACCOUNT_NOT_FOUND: {
    code: 1017,
    status: 200,
    message: 'Additional mail account not found',
    de: 'Zusätzliches E-Mail-Konto nicht gefunden',
    source: 'ours',
  },
  ADDITIONAL_ACCOUNT_EXISTS: {
    code: 1018,
    status: 200,
    message: 'Additional mail account already exists',
    de: 'Zusätzliches E-Mail-Konto existiert bereits',
    source: 'ours',
  },
  BACKUP_NOT_FOUND: {
    code: 1019,
    status: 200,
    message: 'Backup not found',
    de: 'Backup nicht gefunden',
    source: 'ours',
  },
  INVALID_TOKEN: {
    code: 1020,
    status: 200,
    message: 'The token is invalid or expired',
    de: 'Das Token ist ungültig oder abgelaufen',
    source: 'ours',
  },
  TOO_MANY_RESETS: {
    code: 1021,
    status: 200,
    message: 'Too many password reset requests, wait {seconds} seconds',
    de: 'Zu viele Anfragen zum Zurücksetzen des Passworts, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  ACCOUNT_REQUIRED: {
    code: 1022,
    status: 200,
    message: 'The account parameter is required at this level',
    de: 'Der Parameter account ist auf dieser Ebene erforderlich',
    source: 'ours',
  },
  PLAN_NOT_AVAILABLE: {
    code: 1023,
    status: 200,
    message: 'The plan {plan} is not available, choose one of {available}',
    de: 'Der Tarif {plan} ist nicht verfügbar, bitte einen von {available} wählen',
    source: 'ours',
  },
} as const
/**
 * The plugin's table: the application errors, and how the HTTP layer's errors read (a JSON-RPC error,
 * HTTP 200, except an outage's 503 and an unknown path's 404); the core's other codes are merged in.
 * Throw `errors.CODE()`, its placeholders (and the JSON-RPC `data`) in `details`: the dispatcher
 * answers it in the request's language.
 */
export const errors = defineErrors({
  ...APP_ERRORS,
  BODY_TOO_LARGE: { status: 200, message: 'Invalid Request: the body is too large' },
  HTTPS_REQUIRED: { status: 200, message: 'Invalid Request: HTTPS is required' },
  INTERNAL: { status: 200, message: 'Internal error' },
  NOT_FOUND: { status: 404, message: 'Invalid Request: POST to /v1/' },
  SERVICE_UNAVAILABLE: { ...APP_ERRORS.SERVICE_UNAVAILABLE, status: 503 },
})

export type AppErrorName = keyof typeof APP_ERRORS
/** An application error's row (a code of the core's alone has none). */
export const appErrorOf = (code: string) =>
  Object.hasOwn(APP_ERRORS, code) ? APP_ERRORS[code as AppErrorName] : undefined

/** JSON-RPC's own errors, localised too. */
export const RPC_MESSAGES = {
  INVALID_PARAMS: { en: 'Invalid params', de: 'Ungültige Parameter' },
  METHOD_NOT_FOUND: { en: 'Method not found', de: 'Methode nicht gefunden' },
  INTERNAL: { en: 'Internal error', de: 'Interner Fehler' },
} as const

const fill = (text: string, vars: Record<string, unknown>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''))

/**
 * An application error thrown anywhere (a method, the session check, the core's password toolkit)
 * as the JSON-RPC error it answers in `lang`: `details` fill the message's placeholders, its `data`
 * is the error's data. Anything else is left as it is (-32603 unless it is an RpcError).
 */
export function localised(err: unknown, lang: Lang): unknown {
  if (!(err instanceof ApiError)) return err
  const e = appErrorOf(err.code)
  if (!e) return err
  const { data, ...vars } = (err.details ?? {}) as Record<string, unknown>
  return new RpcError(e.code, fill(lang === 'de' ? e.de : e.message, vars), data)
}

/** `Accept-Language: de…` (the first language listed, or the best-weighted) selects German. */
export function langOf(header: string | undefined): Lang {
  if (!header) return 'en'
  let best: { lang: string; q: number } = { lang: 'en', q: -1 }
  for (const part of header.split(',')) {
    const [tag, ...opts] = part.trim().split(';')
    const q = Number(
      opts
        .find((o) => o.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    )
    if (tag && q > best.q) best = { lang: tag.toLowerCase(), q }
  }
  return best.lang.startsWith('de') ? 'de' : 'en'
}
