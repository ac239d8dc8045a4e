// A bound on a message's MIME structure, checked at DATA before the message is accepted: a message
// nested 2,000 levels deep was accepted, then could not be parsed (mailparser refuses more than
// 1,000 nodes). The scan looks only at header blocks and at lines starting with `--` (Buffer.indexOf),
// one pass over the bytes for all nesting levels, never a parse of the bodies.

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

const SP = 0x20
/** How much of `\n--boundary` is searched for (RFC 2046 boundaries have at most 70 characters). */
const PROBE = 73
/** Delimiters up to this length are looked up by reading the line's bytes (RFC 2046: at most 72). */
const SHORT = 80
const NONE = 0x7fffffff
const TAB = 0x09

/** A multipart whose body is being read: its delimiter (`--boundary`) and its scan depth. */
interface Level {
  delim: string
  depth: number
  /** The delimiter's bytes when it holds a CR (compared byte by byte: a CR ends a key line). */
  cr: Buffer | null
}

/**
 * The multiparts open at a point of the message, outermost first, looked up by a line's text: a
 * delimiter line is `--boundary`, optionally `--`, then spaces or tabs to the line end (a CR ends it
 * as well). A line that is the delimiter of several open levels belongs to the outermost (its parts
 * bound the inner ones). One lookup per line, whatever the number of open levels.
 */
class OpenLevels {
  readonly levels: Level[] = []
  private keys = new Map<string, number>()
  /** Length and last byte of each delimiter: most near misses are refused without a string. */
  private sigs = new Set<number>()
  /** The delimiters' last bytes (a typed array is cheaper than the set for each near miss). */
  private last = new Uint8Array(256)
  private cr: number[] = []
  private maxLen = 0
  /** `\n` and the open delimiters' common prefix (its first 73 bytes): what a delimiter line follows. */
  probe = Buffer.from('\n--')
  constructor(private raw: Buffer) {}

  push(l: Level) {
    this.levels.push(l)
    this.index()
  }
  /** Keeps the first `n` levels. */
  keep(n: number) {
    if (n === this.levels.length) return
    this.levels.length = n
    this.index()
  }
  private index() {
    this.keys.clear()
    this.sigs.clear()
    this.last.fill(0)
    this.cr = []
    this.maxLen = 0
    for (const [k, l] of this.levels.entries()) {
      if (l.cr) {
        this.cr.push(k)
        continue
      }
      if (!this.keys.has(l.delim)) this.keys.set(l.delim, k) // the outermost of equal boundaries
      this.sigs.add(l.delim.length * 256 + l.delim.charCodeAt(l.delim.length - 1))
      this.last[l.delim.charCodeAt(l.delim.length - 1)] = 1
      this.maxLen = Math.max(this.maxLen, l.delim.length)
    }
    // Lines that do not start with every open delimiter's common prefix are skipped by the search:
    // with one level open, only its own near misses are candidates.
    let common = this.levels[0]?.delim ?? '--'
    for (const l of this.levels) {
      let i = 0
      while (i < common.length && i < l.delim.length && common[i] === l.delim[i]) i++
      common = common.slice(0, i)
    }
    this.probe = Buffer.from(`\n${common}`, 'latin1').subarray(0, PROBE)
  }

  /** The open level whose delimiter line starts at raw[q] (a line start holding `--`), or null. */
  at(q: number): { level: number; close: boolean } | null {
    let best = NONE
    let close = false
    const raw = this.raw
    const n = raw.length
    // The line's text up to its first CR or LF (either ends a delimiter line), less its padding: a key
    // of at most maxLen + 2 bytes (`--boundary--`). Short keys are read byte by byte (cheaper than a
    // native call for each near miss); long ones by native searches.
    let keyEnd = q + 2
    let k = q + 2
    if (this.maxLen <= SHORT) {
      const lim = Math.min(n, q + this.maxLen + 3)
      for (; k < lim; k++) {
        const c = raw[k]
        if (c === CR || c === LF) break
        if (c !== SP && c !== TAB) keyEnd = k + 1
      }
      if (k === lim) while (k < n && (raw[k] === SP || raw[k] === TAB)) k++
    } else {
      let e = raw.indexOf(LF, q)
      if (e < 0) e = n
      // A line ending in CRLF bounds the search for its first CR; a bare LF line is searched alone.
      const crlf = raw[e - 1] === CR
      const cr = crlf ? raw.indexOf(CR, q) : raw.subarray(q, e).indexOf(CR)
      k = crlf ? cr : cr < 0 ? e : q + cr
      keyEnd = k
      while (keyEnd > q && (raw[keyEnd - 1] === SP || raw[keyEnd - 1] === TAB)) keyEnd--
    }
    const len = keyEnd - q
    const ended = len <= this.maxLen + 2 && (k >= n || raw[k] === CR || raw[k] === LF)
    if (ended && this.keys.size > 0) {
      if (this.last[raw[keyEnd - 1]!] === 1 && this.sigs.has(len * 256 + raw[keyEnd - 1]!)) {
        const m = this.keys.get(raw.toString('latin1', q, keyEnd))
        if (m !== undefined) best = m
      }
      if (len >= 4 && raw[keyEnd - 1] === DASH && raw[keyEnd - 2] === DASH) {
        if (this.last[raw[keyEnd - 3]!] === 1 && this.sigs.has((len - 2) * 256 + raw[keyEnd - 3]!)) {
          const m = this.keys.get(raw.toString('latin1', q, keyEnd - 2))
          if (m !== undefined && m < best) {
            best = m
            close = true
          }
        }
      }
    }
    if (this.cr.length > 0)
      for (const m of this.cr) {
        if (m >= best) break
        const kind = delimiterAt(raw, q, this.levels[m]!.cr!)
        if (kind) {
          best = m
          close = kind === 'close'
        }
      }
    return best === NONE ? null : { level: best, close }
  }
}

/** Is the line at raw[i] `--boundary` or `--boundary--` (then padding)? Returns the close flag. */
function delimiterAt(raw: Buffer, i: number, delim: Buffer): 'part' | 'close' | null {
  if (i + delim.length > raw.length || raw.compare(delim, 0, delim.length, i, i + delim.length) !== 0)
    return null
  let j = i + delim.length
  let close = false
  if (raw[j] === DASH && raw[j + 1] === DASH) {
    close = true
    j += 2
  }
  // Only whitespace may follow on the line: `--b1` is not a delimiter of `--b10`.
  while (j < raw.length && (raw[j] === SP || raw[j] === TAB)) j++
  if (j < raw.length && raw[j] !== CR && raw[j] !== LF) return null
  return close ? 'close' : 'part'
}

/**
 * One pass over the message: each part's header block is read where the part starts (it ends at its
 * blank line or at a delimiter line of an open level), and the lines starting with `--` of the bodies
 * are looked up among the open levels (Buffer.indexOf finds them). A level's delimiter ends the parts
 * of the levels inside it; its closing delimiter ends the level.
 */
function scan(raw: Buffer, l: MimeLimits) {
  const open = new OpenLevels(raw)
  let parts = 0

  /** Where the header block at `start` ends: its body, or a delimiter line (`cut`: no body). */
  const headerEnd = (start: number): { body: number; cut: boolean } => {
    const levels = open.levels.length > 0
    for (let i = start; i < raw.length; ) {
      if (levels && raw[i] === DASH && raw[i + 1] === DASH && open.at(i)) return { body: i, cut: true }
      const nl = raw.indexOf(LF, i)
      if (nl < 0) break
      if (nl === i || (nl === i + 1 && raw[i] === CR)) return { body: nl + 1, cut: false }
      i = nl + 1
    }
    return { body: raw.length, cut: false }
  }

  /** Reads the part at `start` (and the messages attached in it); returns where its body's lines start. */
  const part = (start: number, depth: number): number => {
    for (;;) {
      if (++parts > l.parts) throw new Beyond(`more than ${l.parts} MIME parts`)
      const { body, cut } = headerEnd(start)
      // Header blocks past 1 MiB are not read for structure (mailparser refuses them as well).
      const type = contentType(raw.toString('latin1', start, Math.min(body, start + 1024 * 1024)))
      const boundary = boundaryOf(type)
      const attached = !boundary && /^message\/(rfc822|global)\b/i.test(type)
      if (!boundary && !attached) return body
      if (depth + 1 > l.depth) throw new Beyond(`MIME nesting deeper than ${l.depth} levels`)
      if (boundary) {
        const delim = `--${boundary}`
        if (!cut) open.push({ delim, depth, cr: delim.includes('\r') ? Buffer.from(delim, 'latin1') : null })
        return body
      }
      start = body
      depth++
    }
  }

  let pos = part(0, 0)
  while (open.levels.length > 0) {
    // Only line starts are candidates: raw[pos - 1] is a header's blank line's LF, a delimiter's LF,
    // or a byte of the last candidate line (whose own line start was looked up).
    if (pos === 0) break
    const nl = raw.indexOf(open.probe, pos - 1)
    if (nl < 0) break
    const q = nl + 1
    const d = open.at(q)
    if (!d) {
      pos = q + 1
      continue
    }
    const lf = raw.indexOf(LF, q)
    const next = lf < 0 ? raw.length : lf + 1
    const level = open.levels[d.level]!
    if (d.close) {
      open.keep(d.level)
      pos = next
      continue
    }
    open.keep(d.level + 1)
    pos = part(next, level.depth + 1)
  }
}

/** Why the message's MIME structure is beyond the limits (for the 554 reply), or null when it is not. */
export function mimeBeyondLimits(raw: Uint8Array, limits: MimeLimits = MIME_LIMITS): string | null {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  try {
    scan(buf, limits)
    return null
  } catch (e) {
    if (e instanceof Beyond) return e.message
    throw e
  }
}
