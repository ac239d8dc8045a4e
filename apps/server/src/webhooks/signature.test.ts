import { describe, expect, it } from 'vitest'
import { signedString, signWebhook, verifyWebhook } from './signature.ts'

const secret = 'whsec-test-0123456789'
const body = '{"id":"evt_1","type":"message.received"}'
// Computed apart from this code: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac '<secret>'
const OPENSSL = 'v1=7a028c3a874f9febf14ada79db972117c7febd6eabdfabf8eda4aae773d50866'

describe('webhook signatures', () => {
  it('sign "<timestamp>.<raw body>" with HMAC-SHA256 under the secret, hex, prefixed v1=', () => {
    expect(signedString(1700000000, body)).toBe(`1700000000.${body}`)
    expect(signWebhook(secret, 1700000000, body)).toBe(OPENSSL)
  })

  it('verify: the right secret, body and a recent timestamp pass; anything else fails', () => {
    const headers = { timestamp: '1700000000', signature: OPENSSL }
    const at = { nowS: 1700000000 + 299 }
    expect(verifyWebhook(secret, headers, body, at)).toBe(true)
    expect(verifyWebhook('another-secret-0123', headers, body, at)).toBe(false)
    expect(verifyWebhook(secret, headers, `${body} `, at)).toBe(false)
    // The timestamp is signed: changing it breaks the signature; an old one is a replay.
    expect(verifyWebhook(secret, { ...headers, timestamp: '1700000001' }, body, at)).toBe(false)
    expect(verifyWebhook(secret, headers, body, { nowS: 1700000000 + 301 })).toBe(false)
    expect(verifyWebhook(secret, headers, body, { nowS: 1700000000 + 301, toleranceS: 600 })).toBe(true)
  })

  it('accept any one of several space-separated signatures, and refuse malformed headers', () => {
    const at = { nowS: 1700000000 }
    const other = signWebhook('rotated-secret-0123', 1700000000, body)
    expect(
      verifyWebhook(secret, { timestamp: '1700000000', signature: `${other} ${OPENSSL}` }, body, at),
    ).toBe(true)
    for (const h of [
      { timestamp: '1700000000', signature: null },
      { timestamp: undefined, signature: OPENSSL },
      { timestamp: '17e8', signature: OPENSSL },
      { timestamp: '1700000000', signature: OPENSSL.slice(0, -1) },
      { timestamp: '1700000000', signature: OPENSSL.replace('v1=', 'v0=') },
      { timestamp: '1700000000', signature: '' },
    ])
      expect(verifyWebhook(secret, h, body, at)).toBe(false)
  })
})
