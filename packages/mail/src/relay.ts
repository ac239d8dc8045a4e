import type { Transporter } from 'nodemailer'

export type RelayResult =
  | { kind: 'delivered'; response: string }
  | { kind: 'temporary'; response: string; code?: number }
  | { kind: 'permanent'; response: string; code?: number }

export interface Relay {
  send(envelope: { from: string; to: string }, raw: Buffer): Promise<RelayResult>
  close(): Promise<void>
}

/** Check a relay URL early (config), with a message that never shows the password. */
export function parseRelayUrl(url: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error('MAILFRONT_MAIL_RELAY_URL must be smtp://[user:pass@]host[:port] or smtps://…')
  }
  if (!['smtp:', 'smtps:'].includes(u.protocol) || !u.hostname)
    throw new Error('MAILFRONT_MAIL_RELAY_URL must be smtp://[user:pass@]host[:port] or smtps://…')
  return u
}

/** The URL for logs: the password replaced. */
export function redactUrl(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}

/**
 * Delivery to a smarthost through nodemailer's SMTP transport (pooled connections). `smtps://` is
 * TLS from the start; `smtp://` upgrades with STARTTLS whenever the server offers it. Query
 * parameters are nodemailer's own options (e.g. `?tls.rejectUnauthorized=false` for a test relay).
 */
export function createRelay(url: string): Relay {
  parseRelayUrl(url)
  // Bounded waits, so a stuck relay defers the entry instead of holding it (options given in the
  // URL come first and win).
  const defaults = 'pool=true&connectionTimeout=15000&greetingTimeout=15000&socketTimeout=60000'
  let transport: Promise<Transporter> | undefined
  const open = () =>
    (transport ??= import('nodemailer').then((n) =>
      n.default.createTransport(`${url}${url.includes('?') ? '&' : '?'}${defaults}`),
    ))
  return {
    async send(envelope, raw) {
      try {
        const info = await (await open()).sendMail({
          envelope: { from: envelope.from || '', to: [envelope.to] },
          raw,
        })
        return { kind: 'delivered', response: String(info.response ?? '250 OK') }
      } catch (e) {
        const err = e as Error & { responseCode?: number; response?: string; code?: string }
        const response = (err.response ?? err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 500)
        const code = err.responseCode
        if (code && code >= 500 && code < 600) return { kind: 'permanent', response, code }
        return { kind: 'temporary', response, ...(code ? { code } : {}) }
      }
    },
    async close() {
      if (transport) (await transport).close()
    },
  }
}
