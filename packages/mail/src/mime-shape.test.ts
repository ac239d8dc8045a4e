import { describe, expect, it } from 'vitest'
import { SHAPES } from '../test/mime-adversarial.ts'
import { HEAD, nested, wide } from '../test/mime-samples.ts'
import { mimeBeyondLimits } from './mime-shape.ts'

const check = (s: string) => mimeBeyondLimits(Buffer.from(s, 'latin1'))

describe('MIME structure bounds', () => {
  it('lets ordinary messages through: plain, alternative with an attachment, 32 levels, 999 parts', () => {
    expect(check(`${HEAD}\r\nhello\r\n`)).toBeNull()
    expect(check(`${HEAD}`)).toBeNull()
    expect(
      check(
        `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary="--=_mixed"\r\n\r\n` +
          '----=_mixed\r\nContent-Type: multipart/alternative; boundary="--=_alt"\r\n\r\n' +
          '----=_alt\r\nContent-Type: text/plain\r\n\r\nhi\r\n----=_alt\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n----=_alt--\r\n' +
          '----=_mixed\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n----=_mixed--\r\n',
      ),
    ).toBeNull()
    expect(check(nested(32))).toBeNull()
    expect(check(nested(32, '\n'))).toBeNull()
    expect(check(wide(999))).toBeNull()
  })

  it('refuses nesting past 32 levels, with bare LF too, and 2,000 levels at once', () => {
    expect(check(nested(33))).toBe('MIME nesting deeper than 32 levels')
    expect(check(nested(33, '\n'))).toBe('MIME nesting deeper than 32 levels')
    expect(check(nested(2000))).toBe('MIME nesting deeper than 32 levels')
  })

  it('refuses more than 1,000 parts (the message itself counts)', () => {
    expect(check(wide(1000))).toBe('more than 1000 MIME parts')
    expect(mimeBeyondLimits(Buffer.from(wide(10)), { depth: 32, parts: 5 })).toBe('more than 5 MIME parts')
  })

  it('counts attached messages as levels, and does not take `--b1` for a delimiter of `--b10`', () => {
    let m = 'Content-Type: text/plain\r\n\r\nbottom\r\n'
    for (let i = 0; i < 40; i++) m = `Subject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n${m}`
    expect(check(m)).toBe('MIME nesting deeper than 32 levels')
    const prefix =
      `${HEAD}Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n` +
      'Content-Type: multipart/mixed; boundary=b10\r\n\r\n--b10\r\nContent-Type: text/plain\r\n\r\nx\r\n--b10--\r\n--b1--\r\n'
    expect(mimeBeyondLimits(Buffer.from(prefix), { depth: 32, parts: 4 })).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(prefix), { depth: 1, parts: 10 })).toBe(
      'MIME nesting deeper than 1 levels',
    )
  })

  it('a multipart with no closing delimiter is read to its end; no boundary parameter means no parts', () => {
    expect(check(nested(40).replace(/\r\n--b\d+--\r\n/g, ''))).toBe('MIME nesting deeper than 32 levels')
    expect(check(`${HEAD}Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\n`)).toBeNull()
  })

  it('finds every delimiter form past many near misses (`--bx` lines): padded, bare LF, closing, at the very end', () => {
    const misses = '--bx\r\n'.repeat(100)
    const multi = (body: string) =>
      mimeBeyondLimits(Buffer.from(`${HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n${body}`), {
        depth: 32,
        parts: 3,
      })
    const part = 'Content-Type: text/plain\r\n\r\nx\r\n'
    // Three parts are one too many for { parts: 3 } (the message counts): each form is found.
    for (const d of ['--b\r\n', '--b\n', '--b \t\r\n', '--b\t\n'])
      expect(multi(`--b\r\n${part}${misses}--b\r\n${part}${misses}${d}${part}`), JSON.stringify(d)).toBe(
        'more than 3 MIME parts',
      )
    // The closing delimiter, padded or bare, ends it: what follows is not a part.
    for (const c of ['--b--\r\n', '--b-- \r\n', '--b--\n', '--b--'])
      expect(
        multi(`--b\r\n${part}${misses}--b\r\n${part}${misses}${c}--b\r\n${part}`),
        JSON.stringify(c),
      ).toBeNull()
    // A delimiter as the message's last line, with no line end: a part (empty) as parsers read it.
    expect(multi(`--b\r\n${part}${misses}--b\r\n${part}${misses}--b`)).toBe('more than 3 MIME parts')
    expect(multi(`--b\r\n${part}${misses}--b\r\n${part}${misses}x--b`)).toBeNull()
  })

  it('a boundary longer than the searched prefix: the rest is compared, a line that differs late is no delimiter', () => {
    const b = `${'a'.repeat(100)}z`
    const late = `--${'a'.repeat(100)}y\r\n` // the first 73 bytes of `\n--b` match
    const body = `--${b}\r\nContent-Type: text/plain\r\n\r\nx\r\n${late}--${b}\r\n\r\ny\r\n--${b}--\r\n`
    const m = Buffer.from(`${HEAD}Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n${body}`)
    expect(mimeBeyondLimits(m, { depth: 32, parts: 3 })).toBeNull() // the message and two parts
    expect(mimeBeyondLimits(m, { depth: 32, parts: 2 })).toBe('more than 2 MIME parts')
  })

  it('a line that is a delimiter of two open levels belongs to the outer one, whose `--` close ends the inner', () => {
    const mp = (b: string) => `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n`
    const text = 'Content-Type: text/plain\r\n\r\nx\r\n'
    const lim = (parts: number) => ({ depth: 32, parts })
    // The same boundary at two levels: `--b` after the inner part starts a part of the outer level.
    const same = `${HEAD}${mp('b')}--b\r\n${mp('b')}--b\r\n${text}--b\r\n${text}--b--\r\n--b\r\n${text}`
    // message, outer multipart's 2 parts, inner multipart's 1 part: the third `--b` is the outer's.
    expect(mimeBeyondLimits(Buffer.from(same), lim(4))).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(same), lim(3))).toBe('more than 3 MIME parts')
    // An outer close ends the inner level too: what follows (`--i` lines) is no part.
    const close = `${HEAD}${mp('o')}--o\r\n${mp('i')}--i\r\n${text}--o--\r\n--i\r\n${text}--i\r\n${text}`
    expect(mimeBeyondLimits(Buffer.from(close), lim(4))).toBeNull()
    // A padded outer delimiter (spaces and tabs, bare LF) ends an inner part as well.
    const pad = `${HEAD}${mp('o')}--o\r\n${mp('i')}--i\r\n${text}--o \t\n${text}--i\r\n${text}--o--\r\n`
    expect(mimeBeyondLimits(Buffer.from(pad), lim(4))).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(pad), lim(3))).toBe('more than 3 MIME parts')
  })

  it('prefix-related boundaries at different levels: `--b1`, `--b10`, `--b1--` are told apart', () => {
    const mp = (b: string) => `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n`
    const text = 'Content-Type: text/plain\r\n\r\nx\r\n'
    const lim = (parts: number) => ({ depth: 32, parts })
    // Outer b10, inner b1: `--b10` lines are the outer's, `--b1` lines the inner's.
    const m = `${HEAD}${mp('b10')}--b10\r\n${mp('b1')}--b1\r\n${text}--b1\r\n${text}--b10\r\n${text}--b10--\r\n`
    expect(mimeBeyondLimits(Buffer.from(m), lim(5))).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(m), lim(4))).toBe('more than 4 MIME parts')
    // Outer boundary `b1--`, inner `b1`: the line `--b1--` is a part delimiter of the outer level (the
    // outer wins), not the inner's close; `--b1----` closes the outer.
    const dash = `${HEAD}${mp('b1--')}--b1--\r\n${mp('b1')}--b1\r\n${text}--b1--\r\n${text}--b1----\r\n--b1--\r\n${text}`
    expect(mimeBeyondLimits(Buffer.from(dash), lim(4))).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(dash), lim(3))).toBe('more than 3 MIME parts')
    // Inner `b1--` inside outer `b1`: `--b1--` closes the outer (before the inner has a part): the
    // message and one part.
    const inner = `${HEAD}${mp('b1')}--b1\r\n${mp('b1--')}--b1--\r\n${text}--b1--\r\n--b1--\r\n${text}`
    expect(mimeBeyondLimits(Buffer.from(inner), lim(2))).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(inner), lim(1))).toBe('more than 1 MIME parts')
  })

  it('a part whose header block is cut by a delimiter line is read up to it (a multipart in it has no parts)', () => {
    const text = 'Content-Type: text/plain\r\n\r\nx\r\n'
    const m = `${HEAD}Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary=o\r\n--o\r\n${text}--o--\r\n`
    // message, two parts of `o`: the first part's header ends at `--o` (no blank line), no inner level;
    // its type still counts as a level.
    expect(mimeBeyondLimits(Buffer.from(m), { depth: 2, parts: 3 })).toBeNull()
    expect(mimeBeyondLimits(Buffer.from(m), { depth: 1, parts: 3 })).toBe('MIME nesting deeper than 1 levels')
    expect(mimeBeyondLimits(Buffer.from(m), { depth: 32, parts: 2 })).toBe('more than 2 MIME parts')
  })

  it("gives the rule's verdict on the adversarial shapes (bench/mime.ts measures them), at 1 MiB", () => {
    for (const s of SHAPES) expect(mimeBeyondLimits(s.build(1024 * 1024)), s.name).toBe(s.verdict)
  })
})
