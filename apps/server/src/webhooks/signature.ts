import { createHmac, timingSafeEqual } from 'node:crypto'

/** The headers each delivery carries (HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = {
  /** The event's id (the body's `id`): the same on every retry, for the receiver to drop duplicates. */
  id: 'Mailfront-Webhook-Id',
  /** Unix seconds (real time) when this attempt was signed. */
  timestamp: 'Mailfront-Webhook-Timestamp',
  /** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` */
  signature: 'Mailfront-Webhook-Signature',
} as const

/**
 * The string signed, as Stripe does it: the timestamp header's value, a dot, the raw body bytes as
 * sent. Binding the timestamp lets a receiver refuse a replayed delivery (older than its tolerance).
 */
export const signedString = (timestamp: number | string, body: string) => `${timestamp}.${body}`

/** The signature header's value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(signedString(timestamp, body)).digest('hex')}`
}

/**
 * What a receiver does (the README's verifier, in the form tests use): recompute the signature over
 * the raw body and compare in constant time; refuse a timestamp further than `toleranceS` from now.
 * The header may hold several space-separated `v1=` values (any one matching is enough).
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  opts: { nowS?: number; toleranceS?: number } = {},
): boolean {
  const ts = Number(headers.timestamp)
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp) || !headers.signature) return false
  const now = opts.nowS ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - ts) > (opts.toleranceS ?? 300)) return false
  const expected = Buffer.from(signWebhook(secret, ts, body))
  return headers.signature.split(' ').some((given) => {
    const g = Buffer.from(given)
    return g.length === expected.length && timingSafeEqual(g, expected)
  })
}
