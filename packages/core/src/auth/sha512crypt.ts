import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import type { Piscina } from 'piscina'
import { computeSha512Crypt } from './sha512crypt-algorithm.mjs'

/**
 * Accepted `rounds=` of SHA-512 crypt hashes. 1000 is glibc's own floor (it clamps lower values, so a
 * hash that names fewer rounds was not made by crypt(3)); 5000 is its default (no `rounds=` part).
 * The ceiling keeps one verification under about 50 ms on a small machine (25000 rounds: about 40 ms
 * on the 2-core reference machine, see the README); glibc would accept up to 999,999,999, which is
 * about an hour of CPU per login.
 */
export const SHA512_CRYPT_ROUNDS = { min: 1000, default: 5000, max: 25_000 } as const

/** Why a `rounds` value is refused, or null when it is within the bounds. */
export function sha512CryptRoundsProblem(rounds: number): string | null {
  if (!Number.isInteger(rounds) || rounds < SHA512_CRYPT_ROUNDS.min || rounds > SHA512_CRYPT_ROUNDS.max)
    return `SHA-512 crypt rounds must be ${SHA512_CRYPT_ROUNDS.min}..${SHA512_CRYPT_ROUNDS.max}, got ${rounds}`
  return null
}

// Each hash runs on a worker thread: thousands of SHA-512 rounds would block the event loop. The
// pool (and piscina itself) is loaded on the first hash, so processes that never hash pay nothing.
let pool: Promise<Piscina> | undefined
function hashPool(): Promise<Piscina> {
  pool ??= import('piscina').then(
    ({ Piscina }) =>
      new Piscina({
        filename: new URL('./sha512crypt-worker.mjs', import.meta.url).href,
        minThreads: 0,
        maxThreads: Math.max(1, Math.min(4, availableParallelism())),
        idleTimeout: 30_000,
      }),
  )
  return pool
}

/** Stop the worker threads (tests, shutdown); the next hash starts them again. */
export async function closeSha512CryptPool(): Promise<void> {
  const p = pool
  pool = undefined
  await (await p)?.destroy()
}

/** SHA-512 crypt on a worker thread. `rounds` omitted: glibc's default, with no `rounds=` part. */
export async function sha512Crypt(password: string, salt: string, rounds?: number): Promise<string> {
  if (rounds !== undefined) {
    const problem = sha512CryptRoundsProblem(rounds)
    if (problem) throw new RangeError(problem)
  }
  return (await (await hashPool()).run({ password, salt, rounds })) as string
}

/** The same computation on the calling thread: for tests and tools only, never for a request. */
export function sha512CryptSync(password: string, salt: string, rounds?: number): string {
  const problem = rounds === undefined ? null : sha512CryptRoundsProblem(rounds)
  if (problem) throw new RangeError(problem)
  return computeSha512Crypt(password, salt, rounds)
}

/** A fresh salt of 16 lowercase hex characters (tmail's format). */
export function sha512CryptSalt(): string {
  return randomBytes(8).toString('hex')
}

const PARSE = /^\$6\$(?:rounds=(\d+)\$)?([^$]{0,16})\$[./0-9A-Za-z]{86}$/

/** The rounds a SHA-512 crypt hash names (glibc's default when it names none); null if not one. */
export function sha512CryptRoundsOf(hash: string): number | null {
  const m = PARSE.exec(hash)
  if (!m) return null
  return m[1] === undefined ? SHA512_CRYPT_ROUNDS.default : Number(m[1])
}

/** Verify on a worker thread; a hash whose rounds are out of bounds never verifies (and costs nothing). */
export async function verifySha512Crypt(password: string, hash: string): Promise<boolean> {
  const m = PARSE.exec(hash)
  if (!m) return false
  const rounds = m[1] === undefined ? undefined : Number(m[1])
  if (rounds !== undefined && sha512CryptRoundsProblem(rounds)) return false
  return (await sha512Crypt(password, m[2]!, rounds)) === hash
}
