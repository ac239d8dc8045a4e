import { createSecretKey, type KeyObject } from 'node:crypto'
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'

export interface Hs256 {
  sign(claims: JWTPayload, opts: { expiresInS: number }): Promise<{ token: string; exp: number }>
  /** The verified claims, or null when the token is malformed, tampered with or expired. */
  verify(token: string): Promise<JWTPayload | null>
  /** As verify, telling an expired (but genuine) token from an invalid one. */
  check(token: string): Promise<{ claims: JWTPayload } | { error: 'expired' | 'invalid' }>
}

/**
 * HS256 signing and verification with the key imported once. Verified tokens are remembered (bounded)
 * so a token seen again costs a map lookup and an expiry check, not an HMAC and two JSON parses.
 */
export function createHs256(
  secret: string | Uint8Array,
  opts: { clock?: Clock; cacheSize?: number; issuer?: string } = {},
): Hs256 {
  const key: KeyObject = createSecretKey(
    typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret),
  )
  const clock = opts.clock ?? systemClock
  const max = opts.cacheSize ?? 10_000
  const verified = new Map<string, JWTPayload>()
  const nowS = () => Math.floor(clock.now() / 1000)

  async function check(token: string): Promise<{ claims: JWTPayload } | { error: 'expired' | 'invalid' }> {
    const hit = verified.get(token)
    if (hit) {
      if (typeof hit.exp === 'number' && hit.exp <= nowS()) {
        verified.delete(token)
        return { error: 'expired' }
      }
      return { claims: hit }
    }
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        currentDate: new Date(clock.now()),
        clockTolerance: 0,
        // With an issuer, a token naming another (or none) is invalid, however well it is signed.
        ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
      })
      if (typeof payload.exp !== 'number') return { error: 'invalid' }
      if (verified.size >= max) verified.delete(verified.keys().next().value as string)
      verified.set(token, payload)
      return { claims: payload }
    } catch (e) {
      // jose checks the signature before the expiry: an expired error means a genuine token.
      return { error: e instanceof errors.JWTExpired ? 'expired' : 'invalid' }
    }
  }

  return {
    async sign(claims, { expiresInS }) {
      const exp = nowS() + expiresInS
      const token = await new SignJWT({
        ...(opts.issuer !== undefined ? { iss: opts.issuer } : {}),
        ...claims,
        exp,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(key)
      return { token, exp }
    },
    async verify(token) {
      const r = await check(token)
      return 'claims' in r ? r.claims : null
    },
    check,
  }
}
