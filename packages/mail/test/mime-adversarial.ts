// Messages built to be the worst for the MIME scan at DATA (mime-shape.ts), each filled to `size`
// bytes (the SMTP limit is 25 MiB): measured by bench/mime.ts, their verdicts asserted by
// mime-shape.test.ts. Each names what the scan should answer under the default limits.

const CRLF = '\r\n'
const head = (type: string) =>
  `From: a@example.com${CRLF}Subject: shape${CRLF}Content-Type: ${type}${CRLF}${CRLF}`
/** `n` bytes of `unit` repeated (cut to n). */
const fill = (unit: string, n: number) => Buffer.alloc(Math.max(0, n), unit, 'latin1')

export interface Shape {
  name: string
  /** What mimeBeyondLimits answers under MIME_LIMITS: null (accepted) or the reason. */
  verdict: string | null
  build(size: number): Buffer
}

/** Multiparts nested `levels` deep around one leaf; the leaf's body fills the message. */
function nested(levels: number, boundary: (k: number) => string, leafBody: (n: number) => Buffer) {
  return (size: number) => {
    let top = ''
    for (let k = 0; k < levels; k++) {
      const b = boundary(k)
      top += `${k === 0 ? head(`multipart/mixed; boundary="${b}"`) : `Content-Type: multipart/mixed; boundary="${b}"${CRLF}${CRLF}`}--${b}${CRLF}`
    }
    top += `Content-Type: text/plain${CRLF}${CRLF}`
    const start = Buffer.from(top, 'latin1')
    return Buffer.concat([start, leafBody(size - start.length)])
  }
}

// Boundaries made only of dashes, longest outside: every level's delimiter (`--` + boundary) is a
// prefix of a long run of dashes, and no level's delimiter line is another's (lengths differ by 1
// and the outer ones are longer, so an inner line is never `--outer` nor `--outer--`).
const dashes = (k: number, levels: number) => '-'.repeat(levels - k)

export const SHAPES: Shape[] = [
  {
    name: 'plain text (baseline)',
    verdict: null,
    build: (size) =>
      Buffer.concat([Buffer.from(head('text/plain')), fill(`${'x'.repeat(76)}${CRLF}`, size - 90)]),
  },
  {
    name: '999 parts, flat, the rest in the last part',
    verdict: null,
    build: (size) => {
      let s = head('multipart/mixed; boundary="b"')
      for (let i = 0; i < 998; i++) s += `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}x${CRLF}`
      s += `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}`
      const start = Buffer.from(s)
      return Buffer.concat([
        start,
        fill(`${'y'.repeat(76)}${CRLF}`, size - start.length - 7),
        Buffer.from(`--b--${CRLF}`),
      ])
    },
  },
  {
    name: '1,001 parts, flat (refused)',
    verdict: 'more than 1000 MIME parts',
    build: (size) => {
      let s = head('multipart/mixed; boundary="b"')
      for (let i = 0; i < 1000; i++) s += `--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}x${CRLF}`
      const start = Buffer.from(s)
      return Buffer.concat([start, fill(`${'y'.repeat(76)}${CRLF}`, size - start.length)])
    },
  },
  {
    name: 'depth 32, text leaf',
    verdict: null,
    build: nested(
      32,
      (k) => `b${k}`,
      (n) => fill(`${'z'.repeat(76)}${CRLF}`, n),
    ),
  },
  {
    name: 'depth 33 (refused)',
    verdict: 'MIME nesting deeper than 32 levels',
    build: nested(
      33,
      (k) => `b${k}`,
      (n) => fill(`${'z'.repeat(76)}${CRLF}`, n),
    ),
  },
  {
    name: 'depth 1, boundary "-", a body of dashes (a near match at every byte)',
    verdict: null,
    build: nested(
      1,
      () => '-',
      (n) => fill('-', n),
    ),
  },
  {
    name: 'depth 32, dash boundaries, a body of dashes, no line break',
    verdict: null,
    build: nested(
      32,
      (k) => dashes(k, 32),
      (n) => fill('-', n),
    ),
  },
  {
    name: 'depth 32, dash boundaries, lines of 40 dashes + "x" (a near match at every line)',
    verdict: null,
    build: nested(
      32,
      (k) => dashes(k, 32),
      (n) => fill(`${'-'.repeat(40)}x${CRLF}`, n),
    ),
  },
  {
    name: 'depth 1, "--b" lines that are not delimiters ("--bx"), tiny',
    verdict: null,
    build: nested(
      1,
      () => 'b',
      (n) => fill(`--bx${CRLF}`, n),
    ),
  },
  {
    name: 'depth 32, boundaries b0..b31, tiny lines naming every one ("--b0x", …)',
    verdict: null,
    build: nested(
      32,
      (k) => `b${k}`,
      (n) => {
        let unit = ''
        for (let k = 0; k < 32; k++) unit += `--b${k}x${CRLF}`
        return fill(unit, n)
      },
    ),
  },
  {
    name: 'a 10,000-byte boundary, a body of its near misses',
    verdict: null,
    build: nested(
      1,
      () => 'a'.repeat(10_000),
      (n) => fill(`--${'a'.repeat(9_999)}b${CRLF}`, n),
    ),
  },
  {
    name: 'a 70-byte boundary (the RFC maximum), a body of its near misses',
    verdict: null,
    build: nested(
      1,
      () => 'a'.repeat(70),
      (n) => fill(`--${'a'.repeat(69)}b${CRLF}`, n),
    ),
  },
  {
    name: '1 MiB header lines (25 parts of one folded 1 MiB Content-Type each)',
    verdict: null,
    build: (size) => {
      const fold = `Content-Type: text/plain;${CRLF}\tx-pad="${'p'.repeat(1024 * 1024 - 64)}"${CRLF}${CRLF}x${CRLF}`
      let s = head('multipart/mixed; boundary="b"')
      const parts: string[] = []
      for (let used = s.length; used + fold.length + 10 < size - 10; used += fold.length + 5)
        parts.push(`--b${CRLF}${fold}`)
      s += `${parts.join('')}--b--${CRLF}`
      return Buffer.from(s, 'latin1')
    },
  },
  {
    name: 'one header block of 25 MiB, many "content-type" near misses',
    verdict: null,
    build: (size) => {
      const start = Buffer.from(`From: a@example.com${CRLF}`)
      return Buffer.concat([
        start,
        fill(`X-content-typ: e${CRLF}`, size - start.length - 8),
        Buffer.from(`${CRLF}${CRLF}body`),
      ])
    },
  },
]
