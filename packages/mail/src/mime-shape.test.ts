import { describe, expect, it } from 'vitest'
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
})
