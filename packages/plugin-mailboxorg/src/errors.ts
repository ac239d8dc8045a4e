import { RpcError } from '@mailfront/core'

export type Lang = 'en' | 'de'

/**
 * Application error codes, in one table. 2 and 253 are mailbox.org's documented ones; the 1xxx codes
 * are ours (no public source lists others): replace a row when a real code is observed.
 */
export const APP_ERRORS = {
  ACCESS_DENIED: { code: 2, en: 'Access denied', de: 'Zugriff verweigert', source: 'seed' },
  TOO_MANY_FAILURES: {
    code: 2,
    en: 'Access denied: too many failed logins, wait {seconds} seconds',
    de: 'Zugriff verweigert: zu viele fehlgeschlagene Anmeldungen, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  INVALID_AUTH_ID: {
    code: 253,
    en: 'This Auth-ID is invalid',
    de: 'Diese Auth-ID ist ungültig',
    source: 'reference',
  },
  ACCOUNT_NOT_FOUND: { code: 1001, en: 'Account not found', de: 'Account nicht gefunden', source: 'ours' },
  ACCOUNT_EXISTS: {
    code: 1002,
    en: 'Account already exists',
    de: 'Account existiert bereits',
    source: 'ours',
  },
  DOMAIN_NOT_FOUND: { code: 1003, en: 'Domain not found', de: 'Domain nicht gefunden', source: 'ours' },
  DOMAIN_EXISTS: { code: 1004, en: 'Domain already exists', de: 'Domain existiert bereits', source: 'ours' },
  MAIL_NOT_FOUND: {
    code: 1005,
    en: 'Mail address not found',
    de: 'E-Mail-Adresse nicht gefunden',
    source: 'ours',
  },
  MAIL_EXISTS: {
    code: 1006,
    en: 'Mail address already exists',
    de: 'E-Mail-Adresse existiert bereits',
    source: 'ours',
  },
  SAME_PASSWORD: {
    code: 1007,
    en: 'The new password must differ from the old one',
    de: 'Das neue Passwort muss sich vom alten unterscheiden',
    source: 'ours',
  },
  INVALID_DATES: {
    code: 1009,
    en: 'The end date is before the start date',
    de: 'Das Enddatum liegt vor dem Startdatum',
    source: 'ours',
  },
  APP_PASSWORD_NOT_FOUND: {
    code: 1010,
    en: 'App password not found',
    de: 'App-Passwort nicht gefunden',
    source: 'ours',
  },
  MAILING_LIST_NOT_FOUND: {
    code: 1011,
    en: 'Mailing list not found',
    de: 'Mailingliste nicht gefunden',
    source: 'ours',
  },
  MAILING_LIST_EXISTS: {
    code: 1012,
    en: 'Mailing list already exists',
    de: 'Mailingliste existiert bereits',
    source: 'ours',
  },
  SERVICE_UNAVAILABLE: {
    code: -32000,
    en: 'Service temporarily unavailable, try again later',
    de: 'Dienst vorübergehend nicht verfügbar, bitte später erneut versuchen',
    source: 'ours (JSON-RPC server-error range)',
  },
  RATE_LIMITED: {
    code: 1008,
    en: 'Too many requests for this session, wait {seconds} seconds',
    de: 'Zu viele Anfragen für diese Sitzung, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  INVOICE_NOT_FOUND: { code: 1013, en: 'Invoice not found', de: 'Rechnung nicht gefunden', source: 'ours' },
  GROUP_NOT_FOUND: { code: 1014, en: 'Group not found', de: 'Gruppe nicht gefunden', source: 'ours' },
  GROUP_EXISTS: { code: 1015, en: 'Group already exists', de: 'Gruppe existiert bereits', source: 'ours' },
  VIDEOCHAT_NOT_FOUND: {
    code: 1016,
    en: 'Video chat room not found',
    de: 'Videokonferenzraum nicht gefunden',
    source: 'ours',
  },
  ADDITIONAL_ACCOUNT_NOT_FOUND: {
    code: 1017,
    en: 'Additional mail account not found',
    de: 'Zusätzliches E-Mail-Konto nicht gefunden',
    source: 'ours',
  },
  ADDITIONAL_ACCOUNT_EXISTS: {
    code: 1018,
    en: 'Additional mail account already exists',
    de: 'Zusätzliches E-Mail-Konto existiert bereits',
    source: 'ours',
  },
  BACKUP_NOT_FOUND: { code: 1019, en: 'Backup not found', de: 'Backup nicht gefunden', source: 'ours' },
  INVALID_TOKEN: {
    code: 1020,
    en: 'The token is invalid or expired',
    de: 'Das Token ist ungültig oder abgelaufen',
    source: 'ours',
  },
  TOO_MANY_RESETS: {
    code: 1021,
    en: 'Too many password reset requests, wait {seconds} seconds',
    de: 'Zu viele Anfragen zum Zurücksetzen des Passworts, bitte {seconds} Sekunden warten',
    source: 'ours',
  },
  ACCOUNT_REQUIRED: {
    code: 1022,
    en: 'The account parameter is required at this level',
    de: 'Der Parameter account ist auf dieser Ebene erforderlich',
    source: 'ours',
  },
} as const

export type AppErrorName = keyof typeof APP_ERRORS

/** JSON-RPC's own errors, localised too. */
export const RPC_MESSAGES = {
  INVALID_PARAMS: { en: 'Invalid params', de: 'Ungültige Parameter' },
  METHOD_NOT_FOUND: { en: 'Method not found', de: 'Methode nicht gefunden' },
  INTERNAL: { en: 'Internal error', de: 'Interner Fehler' },
} as const

export function appError(
  name: AppErrorName,
  lang: Lang,
  vars: Record<string, string | number> = {},
  data?: unknown,
) {
  const e = APP_ERRORS[name]
  const message = e[lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''))
  return new RpcError(e.code, message, data)
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
