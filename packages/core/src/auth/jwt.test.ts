import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../clock.ts'
import { createHs256 } from './jwt.ts'

describe('HS256', () => {
  it('signs, verifies, refuses tampering and expiry (with the injected clock)', async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1))
    const jwt = createHs256('s3cret', { clock })
    const { token, exp } = await jwt.sign({ sub: 'a' }, { expiresInS: 60 })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(decodeJwt(token).exp).toBe(exp)
    expect((await jwt.verify(token))?.sub).toBe('a')
    const [h, p, s] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ sub: 'b', exp })).toString('base64url')
    expect(await jwt.verify(`${h}.${forged}.${s}`)).toBeNull()
    expect(await jwt.verify(`${h}.${p}.${s!.slice(0, -2)}AA`)).toBeNull()
    expect(await createHs256('other', { clock }).verify(token)).toBeNull()
    expect(await jwt.verify('not-a-jwt')).toBeNull()
    clock.advance(60_000)
    expect(await jwt.verify(token)).toBeNull()
  })

  it('tells an expired token from an invalid one, cached or not', async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1))
    const jwt = createHs256('s3cret', { clock })
    const a = (await jwt.sign({ sub: 'a' }, { expiresInS: 60 })).token
    const b = (await jwt.sign({ sub: 'b' }, { expiresInS: 60 })).token
    expect(await jwt.check(a)).toEqual({ claims: expect.objectContaining({ sub: 'a' }) })
    clock.advance(60_000)
    expect(await jwt.check(a)).toEqual({ error: 'expired' })
    expect(await jwt.check(b)).toEqual({ error: 'expired' })
    expect(await createHs256('other', { clock }).check(b)).toEqual({ error: 'invalid' })
    expect(await jwt.check('x.y.z')).toEqual({ error: 'invalid' })
  })
})

describe('HS256 with an issuer', () => {
  it('signs iss, and refuses a token naming another issuer or none, however well signed', async () => {
    const clock = createManualClock(Date.UTC(2026, 5, 1))
    const jwt = createHs256('s3cret', { clock, issuer: 'SMTPD Inc' })
    const { token } = await jwt.sign({ sub: 'a' }, { expiresInS: 60 })
    expect(decodeJwt(token).iss).toBe('SMTPD Inc')
    expect(await jwt.check(token)).toEqual({
      claims: expect.objectContaining({ sub: 'a', iss: 'SMTPD Inc' }),
    })
    const none = (await createHs256('s3cret', { clock }).sign({ sub: 'a' }, { expiresInS: 60 })).token
    const other = (
      await createHs256('s3cret', { clock, issuer: 'Someone Else' }).sign({ sub: 'a' }, { expiresInS: 60 })
    ).token
    expect(await jwt.check(none)).toEqual({ error: 'invalid' })
    expect(await jwt.check(other)).toEqual({ error: 'invalid' })
  })
})
