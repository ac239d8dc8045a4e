/**
 * What the request log never shows. The broad rule: a header, query or form parameter, JSON key or
 * XML element whose name contains one of these words (any case) is a secret's name, and its value
 * becomes "[redacted]". Names like `client_secret`, `api_key`, `apikey`, `HPLS-AUTH`, `Passwd`,
 * `refresh_token`, `X-Signature` all match; a few harmless ones do too (`www-authenticate`).
 */
export const SECRET_NAME = /key|secret|token|pass|auth|session|signature|credential|cookie/i

const REDACTED = '[redacted]'
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

// A JSON member with a string or scalar value (an object or array value is walked member by member).
const JSON_FIELD = /"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s{[]+)/g
const FORM_FIELD = /(^|[&?;])([^=&;]*)=([^&;]*)/g
const XML_FIELD = /<([A-Za-z_][\w.:-]*)(\s[^>]*)?>([^<]*)(<\/\1>|$)/g

/**
 * Redaction by name (the rule above) and by value: the values the plugins mark secret (their secret
 * options, such as a plugin's admin password, and the admin token) are replaced wherever they appear,
 * as given, URL-encoded or JSON-escaped.
 */
export class Redactor {
  private readonly values: RegExp | null

  constructor(secretValues: readonly string[] = []) {
    const forms = new Set<string>()
    // A value shorter than 6 characters would blank ordinary words: names still cover its fields.
    for (const v of secretValues)
      if (v && v.length >= 6)
        for (const f of [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]) forms.add(f)
    const list = [...forms].sort((a, b) => b.length - a.length).map(escapeRe)
    this.values = list.length ? new RegExp(list.join('|'), 'g') : null
  }

  /** A body or query string: JSON, form or XML, possibly cut short. */
  text(text: string): string {
    const out = text
      .replace(JSON_FIELD, (m, name: string, sep: string) =>
        SECRET_NAME.test(name) ? `"${name}"${sep}"${REDACTED}"` : m,
      )
      .replace(FORM_FIELD, (m, lead: string, name: string) =>
        SECRET_NAME.test(decode(name)) ? `${lead}${name}=${REDACTED}` : m,
      )
      .replace(XML_FIELD, (m, name: string, attrs: string | undefined, _v: string, end: string) =>
        SECRET_NAME.test(name) ? `<${name}${attrs ?? ''}>${REDACTED}${end}` : m,
      )
    return this.values ? out.replace(this.values, REDACTED) : out
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers))
      out[k] = SECRET_NAME.test(k) ? REDACTED : this.values ? v.replace(this.values, REDACTED) : v
    return out
  }
}

/** The values a server's configuration marks secret: plugin options named like a secret, the admin token. */
export function configuredSecrets(config: {
  pluginOptions: Record<string, Record<string, unknown>>
  adminToken?: string
}): string[] {
  const out: string[] = []
  for (const options of Object.values(config.pluginOptions))
    for (const [k, v] of Object.entries(options))
      if (SECRET_NAME.test(k) && typeof v === 'string') out.push(v)
  if (config.adminToken) out.push(config.adminToken)
  return out
}
