import { execFileSync } from 'node:child_process'
import bcryptjs from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import { safeEqual } from './compare.ts'
import {
  BCRYPT_COSTS,
  boundedPasswordHash,
  hashBcrypt,
  isPasswordHash,
  PasswordHashError,
  passwordHashProblem,
  storedPasswordHash,
  verifyPassword,
} from './passwords.ts'
import { sha256Hex } from './secrets.ts'
import {
  SHA512_CRYPT_ROUNDS,
  sha512Crypt,
  sha512CryptSalt,
  sha512CryptSync,
  verifySha512Crypt,
} from './sha512crypt.ts'

function openssl(salt: string, pw: string): string | null {
  try {
    return execFileSync('openssl', ['passwd', '-6', '-salt', salt, pw], { encoding: 'utf8' }).trim()
  } catch {
    return null
  }
}

describe('SHA-512 crypt', () => {
  // Vectors from Ulrich Drepper's SHA-crypt specification.
  it.each([
    [
      'saltstring',
      'Hello world!',
      undefined,
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    ],
    [
      'rounds=10000$saltstringsaltstring',
      'Hello world!',
      10000,
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    ],
    [
      'rounds=5000$toolongsaltstring',
      'This is just a test',
      5000,
      '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
    ],
  ])('matches the reference vector for %s', async (salt, pw, rounds, expected) => {
    const s = salt.replace(/^rounds=\d+\$/, '')
    expect(await sha512Crypt(pw, s, rounds)).toBe(expected)
    expect(sha512CryptSync(pw, s, rounds)).toBe(expected)
    expect(await verifySha512Crypt(pw, expected)).toBe(true)
  })

  it('matches the seed example and `openssl passwd -6` for tmail-style salts', async () => {
    const salt = sha512CryptSalt()
    expect(salt).toMatch(/^[0-9a-f]{16}$/)
    for (const pw of ['motdepasse', 'mot de passe', 'é ü', 'x'.repeat(80)]) {
      const ours = await sha512Crypt(pw, salt)
      expect(ours).toMatch(/^\$6\$[0-9a-f]{16}\$[./0-9A-Za-z]{86}$/)
      const ref = openssl(salt, pw)
      if (ref === null)
        console.log('openssl not found: SHA-512 crypt checked against the reference vectors only')
      else expect(ours).toBe(ref)
    }
  })
})

describe('bcrypt', () => {
  it('writes $2a$10$ hashes that a second bcrypt library verifies', async () => {
    const h = await hashBcrypt('motdepasse')
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/)
    expect(bcryptjs.compareSync('motdepasse', h)).toBe(true)
    expect(bcryptjs.compareSync('wrong', h)).toBe(false)
    expect(isPasswordHash(h)).toBe(true)
  })
  it('verifies hashes made by a second library, and refuses garbage without throwing', async () => {
    const other = bcryptjs.hashSync('secret', 10)
    expect(await verifyPassword('secret', other)).toBe(true)
    expect(await verifyPassword('secret', '$2a$10$garbage')).toBe(false)
    expect(await verifyPassword('secret', null)).toBe(false)
    expect(await verifyPassword('secret', `sha256:${sha256Hex('secret')}`)).toBe(true)
    expect(await verifyPassword('secret', await sha512Crypt('secret', 'abcdef0123456789'))).toBe(true)
  })
})

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('a', 'a')).toBe(true)
    expect(safeEqual('a', 'ab')).toBe(false)
    expect(safeEqual('', '')).toBe(true)
  })
})

describe('work-factor bounds of stored hashes', () => {
  const bcryptAt = (cost: number) => `$2a$${String(cost).padStart(2, '0')}$${'a'.repeat(53)}`
  const shaAt = (rounds: number) => `$6$rounds=${rounds}$abcdef0123456789$${'a'.repeat(86)}`

  it('accepts bcrypt costs 4..12 and SHA-512 crypt rounds 1000..25000, and refuses the rest', () => {
    expect(BCRYPT_COSTS).toEqual({ min: 4, default: 10, max: 12 })
    expect(SHA512_CRYPT_ROUNDS).toEqual({ min: 1000, default: 5000, max: 25000 })
    for (const c of [4, 10, 12]) expect(passwordHashProblem(bcryptAt(c))).toBeNull()
    expect(passwordHashProblem(bcryptAt(3))).toBe('bcrypt cost must be 4..12, got 3')
    expect(passwordHashProblem(bcryptAt(13))).toBe('bcrypt cost must be 4..12, got 13')
    expect(passwordHashProblem(bcryptAt(31))).toBe('bcrypt cost must be 4..12, got 31')
    for (const r of [1000, 5000, 25000]) expect(passwordHashProblem(shaAt(r))).toBeNull()
    expect(passwordHashProblem(`$6$abcdef0123456789$${'a'.repeat(86)}`)).toBeNull()
    expect(passwordHashProblem(shaAt(999))).toBe('SHA-512 crypt rounds must be 1000..25000, got 999')
    expect(passwordHashProblem(shaAt(25001))).toBe('SHA-512 crypt rounds must be 1000..25000, got 25001')
    expect(passwordHashProblem(shaAt(999999999))).toBe(
      'SHA-512 crypt rounds must be 1000..25000, got 999999999',
    )
    expect(passwordHashProblem('hunter2')).toMatch(/^must be a SHA-512 crypt/)
  })

  it('refuses to compute or verify out of bounds, quickly', async () => {
    await expect(sha512Crypt('x', 'salt', 999_999_999)).rejects.toThrow(RangeError)
    // Would take an hour if computed; answers false at once.
    expect(await verifySha512Crypt('x', shaAt(999_999_999))).toBe(false)
    expect(await verifyPassword('x', shaAt(999_999_999))).toBe(false)
    expect(await verifyPassword('x', bcryptAt(31))).toBe(false)
    // A malformed hash never reaches bcrypt, whatever cost it names (computed, this would not end).
    expect(await verifyPassword('x', `$2a$31$${'a'.repeat(52)}`)).toBe(false)
    expect(await verifyPassword('x', `$2b$31$${'a'.repeat(60)}`)).toBe(false)
  })

  it('keeps in-bounds hashes, hashes clear secrets and refuses out-of-bounds hashes (fixtures, CLI)', async () => {
    const ok = await sha512Crypt('secret', 'abcdef0123456789', 1000)
    expect(await storedPasswordHash(ok)).toBe(ok)
    expect(await storedPasswordHash('secret')).toMatch(/^\$2a\$10\$/)
    await expect(storedPasswordHash(bcryptAt(31))).rejects.toThrow(PasswordHashError)
    await expect(storedPasswordHash(shaAt(30000))).rejects.toThrow('SHA-512 crypt rounds must be 1000..25000')
    const issues: string[] = []
    const ctx = { addIssue: (i: { message: string }) => void issues.push(i.message) }
    boundedPasswordHash('clear password', ctx)
    boundedPasswordHash(bcryptAt(10), ctx)
    boundedPasswordHash(bcryptAt(14), ctx)
    expect(issues).toEqual(['bcrypt cost must be 4..12, got 14'])
  })

  it('runs SHA-512 crypt off the event loop: a timer keeps ticking during hashes', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const started = Date.now()
    await Promise.all(Array.from({ length: 8 }, () => sha512Crypt('pw', 'abcdef0123456789', 25_000)))
    const elapsed = Date.now() - started
    clearInterval(timer)
    // On the event loop the timer could not fire during the hashes; off it, it fires about once per ms.
    expect(ticks).toBeGreaterThan(Math.min(20, elapsed / 10))
  })
})
