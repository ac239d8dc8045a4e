import { randomBytes, X509Certificate } from 'node:crypto'
import { chmod, mkdir, readFile, rename, rmdir, stat, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { cliName } from './cli-name.ts'

export interface TlsMaterial {
  key: string
  cert: string
  generated: boolean
  /** Said at start: the local CA expires soon. */
  warning?: string
}

/** The local CA's files in the data dir: the key stays there (0600), the certificate is what clients trust. */
export const caFiles = (dataDir: string) => ({
  key: join(dataDir, 'ca-key.pem'),
  cert: join(dataDir, 'ca-cert.pem'),
})

const DAY = 86_400_000
// Apple's limit for server certificates; the CA lives longer so that trust stores keep it.
const SERVER_DAYS = 825
const CA_DAYS = 3650
// EC P-256: generated in milliseconds, accepted by every client ecosystem.
const KEY = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const

// A PEM file as tools expect it: LF line ends, one at the end (update-ca-certificates, cat >> bundle).
const pem = (text: string) => `${text.replaceAll('\r\n', '\n').trimEnd()}\n`
/** A file's text, or undefined when there is none; any other failure (EACCES: another user's) is an error. */
export async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'EACCES' || code === 'EPERM')
      throw new Error(
        `cannot read ${file}: permission denied (run mailfront as the user that owns the data dir, or fix its owner)`,
      )
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
}
// A certificate file that is not a certificate (truncated, edited) counts as none: it is made anew.
const parsed = (pem: string) => {
  try {
    return new X509Certificate(pem)
  } catch {
    return undefined
  }
}
const validFor = (cert: X509Certificate | undefined, ms: number): cert is X509Certificate =>
  !!cert && new Date(cert.validTo).getTime() > Date.now() + ms

async function writeAtomic(file: string, data: string, mode: number) {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, data, { mode })
  await chmod(tmp, mode)
  await rename(tmp, file)
}

/**
 * Several processes may start on one data dir at once: the CA and the certificate are made by one
 * of them at a time (a lock directory; one left by a crashed process is taken after 30 s).
 */
async function withLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dataDir, '.tls-lock')
  for (;;) {
    try {
      await mkdir(lock)
      break
    } catch (e) {
      // A read-only data dir (a mounted volume) can still be read: its files are used as they are.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return fn()
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if (age > 30_000) await rmdir(lock).catch(() => {})
      else await new Promise((r) => setTimeout(r, 50))
    }
  }
  try {
    return await fn()
  } finally {
    await rmdir(lock).catch(() => {})
  }
}

export interface LocalCa {
  key: string
  cert: string
  generated: boolean
  /** Set when the CA expires within 30 days (or has): it is never replaced unasked. */
  warning?: string
}

/**
 * The local CA of this data dir, made on first use (or, with `renew`, made anew). Its key never leaves
 * the data dir. An existing CA is kept however near its end: the one a trust store holds must stay
 * the one that issues.
 */
export async function localCa(dataDir: string, o: { renew?: boolean } = {}): Promise<LocalCa> {
  await mkdir(dataDir, { recursive: true })
  return withLock(dataDir, () => caLocked(dataDir, o.renew))
}

/** The local CA if the data dir has one (never made here): for `ca --path/--install/--uninstall`. */
export async function existingCa(dataDir: string): Promise<LocalCa | undefined> {
  const files = caFiles(dataDir)
  const [key, cert] = [await readIfThere(files.key), await readIfThere(files.cert)]
  return key && cert && parsed(cert)
    ? { key, cert, generated: false, warning: expiryWarning(dataDir, cert) }
    : undefined
}

function expiryWarning(dataDir: string, cert: string): string | undefined {
  const end = new Date(parsed(cert)!.validTo)
  if (end.getTime() > Date.now() + 30 * DAY) return undefined
  const cli = cliName()
  return `the local CA ${caFiles(dataDir).cert} ${end.getTime() > Date.now() ? 'expires' : 'expired'} on ${end.toISOString().slice(0, 10)}: make a new one (sudo ${cli} ca --uninstall; ${cli} ca --renew; sudo ${cli} ca --install), and give it to clients that trust the old one`
}

async function caLocked(dataDir: string, renew = false): Promise<LocalCa> {
  const files = caFiles(dataDir)
  const [key, cert] = [await readIfThere(files.key), await readIfThere(files.cert)]
  if (key && cert && parsed(cert) && !renew)
    return { key, cert, generated: false, warning: expiryWarning(dataDir, cert) }
  // Loaded only to make a certificate: every later start reads the stored ones.
  const { generate } = await import('selfsigned')
  const id = randomBytes(4).toString('hex')
  const pems = await generate(
    [
      { name: 'commonName', value: `mailfront local CA ${id}` },
      { name: 'organizationName', value: 'mailfront development CA' },
    ],
    {
      ...KEY,
      // A day back: a client whose clock lags a little still accepts it.
      notBeforeDate: new Date(Date.now() - DAY),
      notAfterDate: new Date(Date.now() + CA_DAYS * DAY),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  )
  const made = { key: pem(pems.private), cert: pem(pems.cert) }
  await writeAtomic(files.key, made.key, 0o600)
  await writeAtomic(files.cert, made.cert, 0o644)
  return { ...made, generated: true }
}

/** Whether a certificate names every one of these hosts (DNS names and IP addresses) in its SAN. */
export function coversNames(cert: X509Certificate, names: string[]): boolean {
  const san = (cert.subjectAltName ?? '').split(', ')
  return names.every((n) =>
    isIP(n)
      ? san.some((s) => s.startsWith('IP Address:') && sameIp(s.slice(11), n))
      : san.includes(`DNS:${n}`),
  )
}

// Node prints an IPv6 SAN in full upper-case form (0:0:0:0:0:0:0:1 for ::1).
const sameIp = (a: string, b: string) => expandIp(a) === expandIp(b)
function expandIp(ip: string): string {
  if (isIP(ip) !== 6) return ip
  const [head, tail = ''] = ip.toLowerCase().split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')
}

/**
 * The server certificate in the data dir, issued by the local CA for `names`. Made on first start,
 * and again when it expires within a week, was not issued by this CA (an older mailfront's
 * self-signed one), or does not cover every name (a plugin or a hostname was added).
 */
export async function caIssuedCert(dataDir: string, names: string[]): Promise<TlsMaterial> {
  await mkdir(dataDir, { recursive: true })
  return withLock(dataDir, async () => {
    const ca = await caLocked(dataDir)
    const keyFile = join(dataDir, 'tls-key.pem')
    const certFile = join(dataDir, 'tls-cert.pem')
    const [key, cert] = [await readIfThere(keyFile), await readIfThere(certFile)]
    const caEnd = new Date(new X509Certificate(ca.cert).validTo).getTime()
    if (caEnd <= Date.now() + DAY) throw new Error(ca.warning)
    const warning = ca.warning ? { warning: ca.warning } : {}
    if (key && cert && !ca.generated) {
      const x = parsed(cert)
      const caCert = new X509Certificate(ca.cert)
      if (
        validFor(x, 7 * DAY) &&
        x.checkIssued(caCert) &&
        x.verify(caCert.publicKey) &&
        coversNames(x, names)
      )
        return { key, cert, generated: false, ...warning }
    }
    const { generate } = await import('selfsigned')
    const pems = await generate([{ name: 'commonName', value: names.find((n) => !isIP(n)) ?? 'localhost' }], {
      ...KEY,
      notBeforeDate: new Date(Date.now() - DAY),
      // Never past the CA's own end: renewed (within a week of it) while the CA lasts.
      notAfterDate: new Date(Math.min(Date.now() + SERVER_DAYS * DAY, caEnd)),
      ca: { key: ca.key, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: names.map((n) =>
            isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n },
          ),
        },
      ],
    })
    const made = { key: pem(pems.private), cert: pem(pems.cert) }
    await writeAtomic(keyFile, made.key, 0o600)
    await writeAtomic(certFile, made.cert, 0o644)
    return { ...made, generated: true, ...warning }
  })
}

/**
 * The names the default certificate covers: loopback, the listen address when it is a specific one,
 * MAILFRONT_HOSTNAME, every plugin's public hostnames and MAILFRONT_<PLUGIN>_HOSTNAMEs.
 */
export function certificateNames(listenHost: string, hostnames: Iterable<string>): string[] {
  const out = new Set(['localhost', '127.0.0.1', '::1'])
  if (!['0.0.0.0', '::'].includes(listenHost)) out.add(listenHost.toLowerCase())
  for (const h of hostnames) out.add(h.toLowerCase().replace(/:\d+$/, ''))
  return [...out]
}

export async function filesCert(certFile: string, keyFile: string): Promise<TlsMaterial> {
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), generated: false }
  } catch (e) {
    throw new Error(`cannot read TLS files: ${(e as Error).message}`)
  }
}
