import { randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** 27 base62 characters, like the KSUID-style suffixes of SMTPD's keys. */
export function ksuidLike(): string {
  let out = ''
  // Rejection sampling keeps every character equally likely.
  while (out.length < 27)
    for (const b of randomBytes(32)) if (b < 248 && out.length < 27) out += BASE62[b % 62]
  return out
}

/** A public key id (`<base64>/<ksuid>`, as the docs' samples) and a secret (256 bits, no dots). */
export function newKeyPair(): { key: string; secret: string } {
  return {
    key: `${randomBytes(18).toString('base64')}/${ksuidLike().toLowerCase()}`,
    secret: `${randomBytes(32).toString('base64url')}${ksuidLike()}`,
  }
}
