import { execFileSync } from 'node:child_process'
import bcryptjs from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import { safeEqual } from './compare.ts'
import { hashBcrypt, isPasswordHash, verifyPassword } from './passwords.ts'
import { sha256Hex } from './secrets.ts'
import { sha512Crypt, sha512CryptSalt, verifySha512Crypt } from './sha512crypt.ts'

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
  ])('matches the reference vector for %s', (salt, pw, rounds, expected) => {
    const s = salt.replace(/^rounds=\d+\$/, '')
    expect(sha512Crypt(pw, s, rounds)).toBe(expected)
    expect(verifySha512Crypt(pw, expected)).toBe(true)
  })

  it('matches the seed example and `openssl passwd -6` for tmail-style salts', () => {
    const salt = sha512CryptSalt()
    expect(salt).toMatch(/^[0-9a-f]{16}$/)
    for (const pw of ['motdepasse', 'mot de passe', 'é ü', 'x'.repeat(80)]) {
      const ours = sha512Crypt(pw, salt)
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
    expect(await verifyPassword('secret', sha512Crypt('secret', 'abcdef0123456789'))).toBe(true)
  })
})

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('a', 'a')).toBe(true)
    expect(safeEqual('a', 'ab')).toBe(false)
    expect(safeEqual('', '')).toBe(true)
  })
})
