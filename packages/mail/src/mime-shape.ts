// A bound on a message's MIME structure, checked at DATA before the message is accepted: a message
// nested 2,000 levels deep was accepted, then could not be parsed (mailparser refuses more than
// 1,000 nodes). The scan looks only at header blocks and boundary lines (Buffer.indexOf), so its
// cost is a pass over the bytes per nesting level, never a parse of the bodies.

export interface MimeLimits {
  /** Multipart (or attached-message) levels below the message itself. */
  depth: number
  /** MIME parts in all, the message itself included. */
  parts: number
}
export const MIME_LIMITS: MimeLimits = { depth: 32, parts: 1000 }

const CR = 0x0d
const LF = 0x0a
const DASH = 0x2d

class Beyond extends Error {}

/** Where a part's header block ends (the start of its body), within [start, end). */
function bodyStart(raw: Buffer, start: number, end: number): number {
  for (let i = start; i < end; ) {
    const nl = raw.indexOf(LF, i)
    if (nl < 0 || nl >= end) return end
    const line = nl - i - (nl > i && raw[nl - 1] === CR ? 1 : 0)
    if (line === 0) return nl + 1
    i = nl + 1
  }
  return end
}

/** The Content-Type of a header block, unfolded: `multipart/…; boundary=…`, `message/rfc822` or ''. */
function contentType(head: string): string {
  const m = /(?:^|\n)content-type[ \t]*:([^\n]*(?:\r?\n[ \t][^\n]*)*)/i.exec(head)
  return m ? m[1]!.replace(/\r?\n/g, ' ').trim() : ''
}

function boundaryOf(type: string): string | null {
  if (!/^multipart\//i.test(type)) return null
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))/i.exec(type)
  return m ? (m[1] ?? m[2])!.trim() : null
}

/** Is raw[i] the start of a line holding `--boundary` or `--boundary--`? Returns the close flag. */
function delimiterAt(raw: Buffer, i: number, from: number, delim: Buffer): 'part' | 'close' | null {
  if (i !== from && raw[i - 1] !== LF) return null
  let j = i + delim.length
  let close = false
  if (raw[j] === DASH && raw[j + 1] === DASH) {
    close = true
    j += 2
  }
  // Only whitespace may follow on the line: `--b1` is not a delimiter of `--b10`.
  while (j < raw.length && (raw[j] === 0x20 || raw[j] === 0x09)) j++
  if (j < raw.length && raw[j] !== CR && raw[j] !== LF) return null
  return close ? 'close' : 'part'
}

/** How much of `\n--boundary` is searched for (RFC 2046 boundaries have at most 70 characters). */
const PROBE = 73

/**
 * The next delimiter line of one multipart body at or after `pos` (a line start), or null. Only line
 * starts are candidates (`\n--b`): a body with a near match at every byte (`-----…` for boundary
 * `-`) costs one search, where a search for `--b` anywhere stopped at each byte (3.2 s of CPU for
 * 25 MiB). A line that starts like a delimiter and is not one (`--bx`) still costs a step.
 */
function delimiters(raw: Buffer, body: number, end: number, delim: Buffer) {
  const start = Buffer.concat([Buffer.from('\n'), delim])
  // A long boundary is searched by its first bytes, the rest compared at each line found: a search
  // for a 10,000-byte pattern through its near misses took 3 s of CPU per MiB.
  const probe = start.subarray(0, PROBE)
  return (pos: number): { at: number; kind: 'part' | 'close' } | null => {
    for (;;) {
      // The body follows its header's blank line, so raw[body - 1] is LF: every candidate has one.
      const nl = raw.indexOf(probe, pos - 1)
      if (nl < 0 || nl + 1 >= end) return null
      const whole =
        probe.length === start.length ||
        (nl + start.length <= raw.length &&
          raw.compare(start, PROBE, start.length, nl + PROBE, nl + start.length) === 0)
      const kind = whole ? delimiterAt(raw, nl + 1, body, delim) : null
      if (kind) return { at: nl + 1, kind }
      pos = nl + 2
    }
  }
}

function scan(
  raw: Buffer,
  start: number,
  end: number,
  depth: number,
  seen: { parts: number },
  l: MimeLimits,
) {
  if (++seen.parts > l.parts) throw new Beyond(`more than ${l.parts} MIME parts`)
  const body = bodyStart(raw, start, end)
  // Header blocks past 1 MiB are not read for structure (mailparser refuses them as well).
  const type = contentType(raw.toString('latin1', start, Math.min(body, start + 1024 * 1024)))
  const boundary = boundaryOf(type)
  const attached = !boundary && /^message\/(rfc822|global)\b/i.test(type)
  if (!boundary && !attached) return
  if (depth + 1 > l.depth) throw new Beyond(`MIME nesting deeper than ${l.depth} levels`)
  if (attached) return scan(raw, body, end, depth + 1, seen, l)
  const delim = Buffer.from(`--${boundary}`, 'latin1')
  const nextDelimiter = delimiters(raw, body, end, delim)
  let partStart = -1
  for (let pos = body; pos < end; ) {
    const d = nextDelimiter(pos)
    if (!d) break
    const i = d.at
    if (partStart >= 0) scan(raw, partStart, i, depth + 1, seen, l)
    if (d.kind === 'close') return
    const nl = raw.indexOf(LF, i)
    partStart = nl < 0 || nl >= end ? end : nl + 1
    pos = partStart
  }
  // No closing delimiter: the last part runs to the end (as parsers read it).
  if (partStart >= 0) scan(raw, partStart, end, depth + 1, seen, l)
}

/** Why the message's MIME structure is beyond the limits (for the 554 reply), or null when it is not. */
export function mimeBeyondLimits(raw: Uint8Array, limits: MimeLimits = MIME_LIMITS): string | null {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  try {
    scan(buf, 0, buf.length, 0, { parts: 0 }, limits)
    return null
  } catch (e) {
    if (e instanceof Beyond) return e.message
    throw e
  }
}
