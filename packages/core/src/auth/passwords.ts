import { compare, hash } from '@node-rs/bcrypt'
import { safeEqual } from './compare.ts'
import { sha256Hex } from './secrets.ts'
import { sha512CryptRoundsOf, sha512CryptRoundsProblem, verifySha512Crypt } from './sha512crypt.ts'

export const BCRYPT_COST = 10

/**
 * Accepted bcrypt costs of stored hashes. 4 is bcrypt's own floor; 12 costs about 240 ms per
 * verification on the 2-core reference machine (cost 13: 480 ms, and every step doubles it). bcrypt
 * runs on libuv's 4 threads, so a few logins at cost 31 would hold every thread for days.
 */
export const BCRYPT_COSTS = { min: 4, default: BCRYPT_COST, max: 12 } as const

/**
 * bcrypt in the `$2a$` form (tmail's Go server and Dovecot expect it). `$2a$` and `$2b$` compute the
 * same hash for every password bcrypt accepts (both truncate at 72 bytes), so the label is swapped.
 * Runs off the event loop.
 */
export async function hashBcrypt(password: string, cost = BCRYPT_COST): Promise<string> {
  return (await hash(password, cost)).replace(/^\$2b\$/, '$2a$')
}

/** The project's slow hash for user-chosen passwords. */
export const hashPassword = (password: string) => hashBcrypt(password)

// A valid hash to compare against when the user is unknown: same cost for both answers.
let dummy: Promise<string> | undefined
function dummyHash(): Promise<string> {
  dummy ??= hashBcrypt('mailfront-dummy-password')
  return dummy
}

const BCRYPT = /^\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}$/

/**
 * Verify a password against a stored hash (bcrypt, SHA-512 crypt, `sha256:` hex). Never throws. A hash
 * whose work factor is out of bounds (see `passwordHashProblem`) never verifies, and costs what an
 * unknown user costs: whatever put it in the store, it cannot make a login expensive.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  try {
    if (!stored || (isPasswordHash(stored) && passwordHashProblem(stored))) {
      await compare(password, await dummyHash())
      return false
    }
    // Only a well-formed bcrypt hash reaches bcrypt: its cost was checked just above.
    if (BCRYPT.test(stored)) return await compare(password, stored)
    if (stored.startsWith('$6$')) return await verifySha512Crypt(password, stored)
    if (stored.startsWith('sha256:')) return safeEqual(stored, `sha256:${sha256Hex(password)}`)
  } catch {
    return false
  }
  return false
}

/** True when a value has the form of a hash we can verify (bcrypt or SHA-512 crypt), bounds aside. */
export function isPasswordHash(s: string): boolean {
  return BCRYPT.test(s) || sha512CryptRoundsOf(s) !== null
}

/** Why a stored hash is refused (work factor out of bounds, or not a hash at all); null when usable. */
export function passwordHashProblem(s: string): string | null {
  const b = BCRYPT.exec(s)
  if (b) {
    const cost = Number(b[1])
    return cost < BCRYPT_COSTS.min || cost > BCRYPT_COSTS.max
      ? `bcrypt cost must be ${BCRYPT_COSTS.min}..${BCRYPT_COSTS.max}, got ${cost}`
      : null
  }
  const rounds = sha512CryptRoundsOf(s)
  if (rounds !== null) return sha512CryptRoundsProblem(rounds)
  return 'must be a SHA-512 crypt ($6$) or bcrypt ($2a$, $2b$, $2y$) hash'
}

export class PasswordHashError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PasswordHashError'
  }
}

/**
 * What to store for a secret given in clear or as a hash (fixtures, CLI): a hash within bounds is kept,
 * a hash out of bounds is refused (PasswordHashError), anything else is hashed.
 */
export async function storedPasswordHash(secretOrHash: string): Promise<string> {
  if (!isPasswordHash(secretOrHash)) return hashPassword(secretOrHash)
  const problem = passwordHashProblem(secretOrHash)
  if (problem) throw new PasswordHashError(problem)
  return secretOrHash
}

/**
 * zod refinement for a field that takes a secret in clear or a hash: a hash out of bounds is a
 * validation issue at that field (`z.string().superRefine(boundedPasswordHash)`).
 */
export function boundedPasswordHash(
  value: string,
  ctx: { addIssue(issue: { code: 'custom'; message: string }): void },
) {
  if (!isPasswordHash(value)) return
  const problem = passwordHashProblem(value)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
}
