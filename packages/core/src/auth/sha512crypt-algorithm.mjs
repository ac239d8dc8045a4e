// SHA-512 crypt ($6$), as glibc crypt(3) and `openssl passwd -6` compute it.
// Plain JavaScript so that a worker thread loads it without a TypeScript loader (see sha512crypt.ts):
// it runs on the event loop only in tests and in the worker pool.
import { createHash } from 'node:crypto'

const ITOA = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
]

function sha512(...parts) {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return h.digest()
}

function repeatTo(src, len) {
  const out = Buffer.alloc(len)
  for (let i = 0; i < len; i += src.length) src.copy(out, i, 0, Math.min(src.length, len - i))
  return out
}

function b64From24(b2, b1, b0, n) {
  let w = (b2 << 16) | (b1 << 8) | b0
  let s = ''
  for (let i = 0; i < n; i++) {
    s += ITOA[w & 0x3f]
    w >>>= 6
  }
  return s
}

/** `rounds` must already be checked by the caller (sha512crypt.ts). */
export function computeSha512Crypt(password, salt, rounds) {
  const pw = Buffer.from(password, 'utf8')
  const explicitRounds = rounds !== undefined
  const r = rounds ?? 5000
  const s = Buffer.from(salt.slice(0, 16), 'utf8')

  const b = sha512(pw, s, pw)
  const ha = createHash('sha512').update(pw).update(s)
  ha.update(repeatTo(b, pw.length))
  for (let n = pw.length; n > 0; n >>= 1) ha.update(n & 1 ? b : pw)
  const a = ha.digest()

  const dpH = createHash('sha512')
  for (let i = 0; i < pw.length; i++) dpH.update(pw)
  const p = repeatTo(dpH.digest(), pw.length)

  const dsH = createHash('sha512')
  for (let i = 0; i < 16 + a[0]; i++) dsH.update(s)
  const sb = repeatTo(dsH.digest(), s.length)

  let c = a
  for (let i = 0; i < r; i++) {
    const h = createHash('sha512')
    h.update(i & 1 ? p : c)
    if (i % 3) h.update(sb)
    if (i % 7) h.update(p)
    h.update(i & 1 ? c : p)
    c = h.digest()
  }

  let out = ''
  for (const [x, y, z] of ORDER) out += b64From24(c[x], c[y], c[z], 4)
  out += b64From24(0, 0, c[63], 2)
  const roundsPart = explicitRounds ? `rounds=${r}$` : ''
  return `$6$${roundsPart}${s.toString('utf8')}$${out}`
}
