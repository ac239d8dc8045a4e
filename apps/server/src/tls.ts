import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface TlsMaterial {
  key: string
  cert: string
  generated: boolean
}

/** The self-signed certificate in the data dir, generated on first start (valid for localhost and 127.0.0.1). */
export async function selfSignedCert(dataDir: string): Promise<TlsMaterial> {
  const keyFile = join(dataDir, 'tls-key.pem')
  const certFile = join(dataDir, 'tls-cert.pem')
  if (existsSync(keyFile) && existsSync(certFile)) {
    const cert = await readFile(certFile, 'utf8')
    if (new Date(new X509Certificate(cert).validTo).getTime() > Date.now() + 86_400_000) {
      return { key: await readFile(keyFile, 'utf8'), cert, generated: false }
    }
  }
  await mkdir(dataDir, { recursive: true })
  // Loaded only to make a certificate: every later start reads the stored one.
  const { generate } = await import('selfsigned')
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  } as never)
  await writeFile(keyFile, pems.private, { mode: 0o600 })
  await chmod(keyFile, 0o600)
  await writeFile(certFile, pems.cert)
  return { key: pems.private, cert: pems.cert, generated: true }
}

export async function filesCert(certFile: string, keyFile: string): Promise<TlsMaterial> {
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), generated: false }
  } catch (e) {
    throw new Error(`cannot read TLS files: ${(e as Error).message}`)
  }
}
