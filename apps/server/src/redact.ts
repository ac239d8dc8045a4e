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
// A JSON-RPC `"params":[…]` array up to its first `]` (or the end of a cut body), and a string in it.
const PARAMS_ARRAY = /("params"\s*:\s*\[)((?:"(?:[^"\\]|\\.)*"?|[^\]"])*)/g
const JSON_STRING = /"(?:[^"\\]|\\.)*"?/g
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
    const out = redactJson(text) ?? this.byRule(text)
    return this.values ? out.replace(this.values, REDACTED) : out
  }

  /** Not JSON (or JSON too broken to walk): the name rule, field by field, plus positional params. */
  private byRule(text: string): string {
    return text
      .replace(JSON_FIELD, (m, name: string, sep: string) =>
        SECRET_NAME.test(name) ? `"${name}"${sep}"${REDACTED}"` : m,
      )
      .replace(FORM_FIELD, (m, lead: string, name: string) =>
        SECRET_NAME.test(decode(name)) ? `${lead}${name}=${REDACTED}` : m,
      )
      .replace(XML_FIELD, (m, name: string, attrs: string | undefined, _v: string, end: string) =>
        SECRET_NAME.test(name) ? `<${name}${attrs ?? ''}>${REDACTED}${end}` : m,
      )
      .replace(
        PARAMS_ARRAY,
        (_m, open: string, items: string) => open + items.replace(JSON_STRING, `"${REDACTED}"`),
      )
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers))
      out[k] = SECRET_NAME.test(k) ? REDACTED : this.values ? v.replace(this.values, REDACTED) : v
    return out
  }
}

const keyName = (token: string, closed: boolean) => {
  try {
    return closed ? (JSON.parse(token) as string) : token.slice(1)
  } catch {
    return token.slice(1, closed ? -1 : undefined)
  }
}
type Frame = { array: boolean; key: string | null; secret: boolean; params: boolean }
const SCALAR = /[^,:{}[\]\s"]+/y
// A string, or the start of one a cut ended (possibly on a lone backslash).
const STRING = /"(?:[^"\\]|\\.)*(?:\\$)?("?)/y

/**
 * A JSON body (whole, or cut short at the log's limit) walked token by token, so the log keeps its
 * bytes: every value under a secret name is redacted (arrays and nested objects included, at any
 * depth), and every string inside a `params` array (JSON-RPC positional params carry passwords;
 * the method name stays). Null when the text is not JSON (the caller falls back to the name rule).
 */
export function redactJson(text: string): string | null {
  if (!/^\s*[[{]/.test(text)) return null
  const stack: Frame[] = []
  let out = ''
  let i = 0
  let expectKey = false
  // What a value at this point is: under a secret name, inside a params array.
  const context = (opening: 'array' | 'other') => {
    const top = stack[stack.length - 1]
    if (!top) return { secret: false, params: false }
    const named = !top.array && top.key !== null
    return {
      secret: top.secret || (named && SECRET_NAME.test(top.key!)),
      params: top.params || (named && opening === 'array' && top.key === 'params'),
    }
  }
  while (i < text.length) {
    const ch = text[i]!
    if (/\s/.test(ch) || ch === ':') {
      out += ch
      i++
    } else if (ch === '{' || ch === '[') {
      if (expectKey) return null
      const ctx = context(ch === '[' ? 'array' : 'other')
      stack.push({ array: ch === '[', key: null, ...ctx })
      expectKey = ch === '{'
      out += ch
      i++
    } else if (ch === '}' || ch === ']') {
      if (stack.pop()?.array !== (ch === ']')) return null
      expectKey = false
      out += ch
      i++
    } else if (ch === ',') {
      const top = stack[stack.length - 1]
      if (!top) return null
      expectKey = !top.array
      out += ch
      i++
    } else {
      const re = ch === '"' ? STRING : SCALAR
      re.lastIndex = i
      const m = re.exec(text)
      if (!m) return null
      i += m[0].length
      const top = stack[stack.length - 1]
      if (!top) return null
      if (expectKey) {
        if (ch !== '"') return null
        top.key = keyName(m[0], m[1] === '"')
        expectKey = false
        out += m[0]
        continue
      }
      const ctx = context('other')
      out += ctx.secret || (ctx.params && ch === '"') ? `"${REDACTED}"` : m[0]
    }
  }
  return out
}

/**
 * The values a server's configuration marks secret: plugin options named like a secret, the admin
 * token, the webhook secret.
 */
export function configuredSecrets(config: {
  pluginOptions: Record<string, Record<string, unknown>>
  adminToken?: string
  webhook?: { secret: string }
}): string[] {
  const out: string[] = []
  for (const options of Object.values(config.pluginOptions))
    for (const [k, v] of Object.entries(options))
      if (SECRET_NAME.test(k) && typeof v === 'string') out.push(v)
  if (config.adminToken) out.push(config.adminToken)
  if (config.webhook) out.push(config.webhook.secret)
  return out
}
