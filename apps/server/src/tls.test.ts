import { X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { describe, expect, it } from 'vitest'
import {
  caFiles,
  caIssuedCert,
  certificateNames,
  coversNames,
  existingCa,
  localCa,
  readIfThere,
} from './tls.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'mailfront-tls-'))
const names = certificateNames('127.0.0.1', ['api.smtpd.dev', 'secure.authsmtp.com'])
const issuedBy = (cert: string, ca: string) => {
  const x = new X509Certificate(cert)
  const c = new X509Certificate(ca)
  return x.checkIssued(c) && x.verify(c.publicKey)
}

describe('the local CA and the certificate it issues', () => {
  it('makes the CA once (key 0600, a CA certificate) and issues the server certificate from it', async () => {
    const d = dir()
    const tls = await caIssuedCert(d, names)
    expect(tls.generated).toBe(true)
    const ca = readFileSync(caFiles(d).cert, 'utf8')
    expect(new X509Certificate(ca).ca).toBe(true)
    expect(issuedBy(tls.cert, ca)).toBe(true)
    expect(new X509Certificate(tls.cert).ca).toBe(false)
    expect(statSync(caFiles(d).key).mode & 0o777).toBe(0o600)
    expect(statSync(join(d, 'tls-key.pem')).mode & 0o777).toBe(0o600)
    expect(new X509Certificate(tls.cert).subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:api.smtpd.dev, DNS:secure.authsmtp.com',
    )
    // A second start reuses both; the CA is the same one `mailfront ca` prints.
    const again = await caIssuedCert(d, names)
    expect(again).toEqual({ ...tls, generated: false })
    expect((await localCa(d)).cert).toBe(ca)
  })

  it('issues again when a name is added, not when one is dropped', async () => {
    const d = dir()
    const first = await caIssuedCert(d, names)
    expect((await caIssuedCert(d, names.slice(0, 3))).generated).toBe(false)
    const more = await caIssuedCert(d, [...names, 'mailfront.test'])
    expect(more.generated).toBe(true)
    expect(more.cert).not.toBe(first.cert)
    expect(coversNames(new X509Certificate(more.cert), [...names, 'mailfront.test'])).toBe(true)
  })

  it("replaces an older mailfront's self-signed certificate (not from the CA)", async () => {
    const d = dir()
    const old = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
    })
    writeFileSync(join(d, 'tls-key.pem'), old.private, { mode: 0o600 })
    writeFileSync(join(d, 'tls-cert.pem'), old.cert)
    const tls = await caIssuedCert(d, names)
    expect(tls.generated).toBe(true)
    expect(issuedBy(tls.cert, readFileSync(caFiles(d).cert, 'utf8'))).toBe(true)
    expect(readFileSync(join(d, 'tls-cert.pem'), 'utf8')).toBe(tls.cert)
  })

  it('issues again when the CA was replaced (its certificate file unreadable)', async () => {
    const d = dir()
    const first = await caIssuedCert(d, names)
    writeFileSync(caFiles(d).cert, 'not a certificate')
    const tls = await caIssuedCert(d, names)
    expect(tls.generated).toBe(true)
    expect(tls.cert).not.toBe(first.cert)
    expect(issuedBy(tls.cert, readFileSync(caFiles(d).cert, 'utf8'))).toBe(true)
  })

  it('processes starting at once on one data dir end with one CA', async () => {
    const d = dir()
    const all = await Promise.all([caIssuedCert(d, names), caIssuedCert(d, names), localCa(d)])
    const ca = readFileSync(caFiles(d).cert, 'utf8')
    expect(all[2].cert).toBe(ca)
    for (const t of all.slice(0, 2)) expect(issuedBy(t.cert, ca)).toBe(true)
  })

  it('covers loopback, the listen address when specific, and names without their port', () => {
    expect(certificateNames('0.0.0.0', ['Api.Smtpd.Dev', 'tmail.test:8443'])).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
      'api.smtpd.dev',
      'tmail.test',
    ])
    expect(certificateNames('192.0.2.1', [])).toContain('192.0.2.1')
  })

  // Review of #26, item 3: a file that cannot be read is an error, never "no CA, make one".
  it('reads a missing file as none, and any other failure as an error', async () => {
    const d = dir()
    await expect(readIfThere(join(d, 'nothing.pem'))).resolves.toBeUndefined()
    mkdirSync(join(d, 'a-dir.pem'))
    await expect(readIfThere(join(d, 'a-dir.pem'))).rejects.toThrow(/^cannot read .*a-dir\.pem: .*EISDIR/)
    // A directory where the key should be: the start fails, no CA is made over it.
    mkdirSync(caFiles(d).key)
    await expect(caIssuedCert(d, names)).rejects.toThrow(/cannot read .*ca-key\.pem/)
    expect(existsSync(caFiles(d).cert)).toBe(false)
  })

  // Root reads any file whatever its mode, so EACCES can only be seen as another user.
  it.skipIf(process.getuid?.() === 0)('says permission denied for a key it may not read', async () => {
    const d = dir()
    await localCa(d)
    chmodSync(caFiles(d).key, 0)
    await expect(localCa(d)).rejects.toThrow(/^cannot read .*ca-key\.pem: permission denied/)
  })

  it('finds an existing CA without ever making one', async () => {
    const d = dir()
    expect(await existingCa(d)).toBeUndefined()
    expect(existsSync(caFiles(d).cert)).toBe(false)
    const ca = await localCa(d)
    expect(await existingCa(d)).toEqual({ ...ca, generated: false })
  })

  // Review of #26, item 4: the CA a trust store holds is never replaced unasked.
  it('keeps a CA near its end, warns, and issues the server certificate within its life', async () => {
    const d = dir()
    const end = new Date(Date.now() + 10 * 86_400_000)
    const old = await generate([{ name: 'commonName', value: 'old CA' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: end,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
      ],
    })
    writeFileSync(caFiles(d).key, old.private, { mode: 0o600 })
    writeFileSync(caFiles(d).cert, old.cert)
    const tls = await caIssuedCert(d, names)
    expect(readFileSync(caFiles(d).cert, 'utf8')).toBe(old.cert)
    expect(issuedBy(tls.cert, old.cert)).toBe(true)
    expect(new Date(new X509Certificate(tls.cert).validTo).getTime()).toBeLessThanOrEqual(end.getTime())
    expect(tls.warning).toMatch(
      /^the local CA .*ca-cert\.pem expires on \d{4}-\d\d-\d\d: make a new one \(.*mailfront ca --renew/,
    )
    expect((await localCa(d)).cert).toBe(old.cert)
    // Asked for, a new one is made.
    const renewed = await localCa(d, { renew: true })
    expect(renewed.generated).toBe(true)
    expect(renewed.cert).not.toBe(old.cert)
    expect(renewed.warning).toBeUndefined()
    expect(issuedBy((await caIssuedCert(d, names)).cert, renewed.cert)).toBe(true)
  })
})
