import { compare, hash } from '@node-rs/bcrypt'
import { safeEqual } from './compare.ts'
import { sha256Hex } from './secrets.ts'
import { verifySha512Crypt } from './sha512crypt.ts'

export const BCRYPT_COST = 10

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

/** Verify a password against a stored hash (bcrypt, SHA-512 crypt, `sha256:` hex). Never throws. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  try {
    if (!stored) {
      await compare(password, await dummyHash())
      return false
    }
    if (/^\$2[abxy]\$/.test(stored)) return await compare(password, stored)
    if (stored.startsWith('$6$')) return verifySha512Crypt(password, stored)
    if (stored.startsWith('sha256:')) return safeEqual(stored, `sha256:${sha256Hex(password)}`)
  } catch {
    return false
  }
  return false
}

/** True when a fixture value is already a hash we can verify (so it is stored as given). */
export function isPasswordHash(s: string): boolean {
  return (
    /^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/.test(s) ||
    /^\$6\$(rounds=\d+\$)?[^$]{0,16}\$[./0-9A-Za-z]{86}$/.test(s)
  )
}
