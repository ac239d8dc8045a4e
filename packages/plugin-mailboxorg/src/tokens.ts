import { randomInt } from 'node:crypto'
import { randomSecret, type StorageAdapter, safeEqual, sha256Hex } from '@mailfront/core'
import { TOKEN, type TokenRow } from './store-resources.ts'

// One-time tokens, stored only as SHA-256: password reset codes (sent by SMS, bound to a mailbox)
// and registration tokens (handed out by an operator, bound to a domain).

export const RESET_TTL_MS = 15 * 60_000
export const RESET_MAX_ATTEMPTS = 5

/** A new reset code for a mailbox (8 digits, as an SMS carries it); earlier codes stop working. */
export async function issueResetCode(db: StorageAdapter, mail: string, now: number): Promise<string> {
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0')
  await db.transaction(async (tx) => {
    await tx.deleteMany({
      model: TOKEN,
      where: {
        and: [
          { field: 'kind', value: 'reset' },
          { field: 'subject', value: mail },
        ],
      },
    })
    await tx.create({
      model: TOKEN,
      data: {
        // The mailbox is part of the hashed value: equal codes of two mailboxes never collide.
        token_hash: sha256Hex(`reset:${mail}:${code}`),
        kind: 'reset',
        subject: mail,
        expires_at: now + RESET_TTL_MS,
        created_at: now,
      },
    })
  })
  return code
}

/**
 * Spend a reset code: true once for the right, unexpired code. Each wrong code counts; after
 * RESET_MAX_ATTEMPTS the code is gone, so guessing 8 digits stays hopeless.
 */
export async function spendResetCode(
  db: StorageAdapter,
  mail: string,
  code: string,
  now: number,
): Promise<boolean> {
  const where = {
    and: [
      { field: 'kind', value: 'reset' },
      { field: 'subject', value: mail },
    ],
  }
  const t = await db.findOne<TokenRow>({ model: TOKEN, where })
  if (!t) return false
  if ((t.expires_at ?? 0) <= now) {
    await db.deleteOne({ model: TOKEN, where: { field: 'id', value: t.id } })
    return false
  }
  if (safeEqual(t.token_hash, sha256Hex(`reset:${mail}:${code}`)))
    return db.deleteOne({ model: TOKEN, where: { field: 'id', value: t.id } })
  const after = await db.increment<TokenRow>({
    model: TOKEN,
    where: { field: 'id', value: t.id },
    by: { attempts: 1 },
  })
  if (after && after.attempts >= RESET_MAX_ATTEMPTS)
    await db.deleteOne({ model: TOKEN, where: { field: 'id', value: t.id } })
  return false
}

export const registrationHash = (token: string) => sha256Hex(`register:${token}`)

/** A registration token for one mailbox in a domain (192 random bits); only its hash is kept. */
export async function issueRegistrationToken(
  db: StorageAdapter,
  a: { domain: string; plan: string; expiresAt: number | null; token?: string },
  now: number,
): Promise<string> {
  const token = a.token ?? randomSecret(24)
  await db.create({
    model: TOKEN,
    data: {
      token_hash: registrationHash(token),
      kind: 'register',
      subject: a.domain,
      plan: a.plan,
      expires_at: a.expiresAt,
      created_at: now,
    },
  })
  return token
}

/** The live registration token row for a token, or null. */
export async function findRegistration(
  db: StorageAdapter,
  token: string,
  now: number,
): Promise<TokenRow | null> {
  if (token.length > 256) return null
  const t = await db.findOne<TokenRow>({
    model: TOKEN,
    where: { field: 'token_hash', value: registrationHash(token) },
  })
  if (t?.kind !== 'register' || (t.expires_at !== null && t.expires_at <= now)) return null
  return t
}
