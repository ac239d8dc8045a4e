import { createHash, randomBytes } from 'node:crypto'

/** A random machine secret (default 256 bits), URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Machine secrets are stored only as their SHA-256 (hex). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}
