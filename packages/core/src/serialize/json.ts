// JSON that never loses a 64-bit integer: bigint out as digits, big integers in as bigint.
const MARK = `\u0000big${Math.random().toString(36).slice(2)}:`
const MARK_RE = new RegExp(`"${MARK.replace('\u0000', '\\\\u0000')}(-?\\d+)"`, 'g')

export function stringifyJson(value: unknown, space?: number): string {
  let sawBig = false
  const out = JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === 'bigint') {
        sawBig = true
        return MARK + v.toString()
      }
      return v
    },
    space,
  )
  return sawBig ? out.replace(MARK_RE, '$1') : out
}

const LONG_INT = /\d{16,}/
// Sticky (y) so each token is matched in place, without slicing the input.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

/** Parse JSON; integers outside the safe range become bigint. */
export function parseJson(text: string): unknown {
  if (!LONG_INT.test(text)) return JSON.parse(text)
  return new BigIntJsonParser(text).parse()
}

class BigIntJsonParser {
  private i = 0
  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.value()
    this.ws()
    if (this.i !== this.s.length) throw new SyntaxError(`Unexpected token at position ${this.i}`)
    return v
  }

  private ws() {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++
  }

  private value(): unknown {
    this.ws()
    const ch = this.s[this.i]
    if (ch === '{') return this.object()
    if (ch === '[') return this.array()
    if (ch === '"') return this.string()
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number()
    for (const [lit, val] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length
        return val
      }
    }
    throw new SyntaxError(`Unexpected token at position ${this.i}`)
  }

  private object() {
    const out: Record<string, unknown> = {}
    this.i++
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      const k = this.string()
      this.ws()
      if (this.s[this.i++] !== ':') throw new SyntaxError(`Expected ':' at position ${this.i - 1}`)
      out[k] = this.value()
      this.ws()
      const c = this.s[this.i++]
      if (c === '}') return out
      if (c !== ',') throw new SyntaxError(`Expected ',' or '}' at position ${this.i - 1}`)
    }
  }

  private array() {
    const out: unknown[] = []
    this.i++
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return out
    }
    for (;;) {
      out.push(this.value())
      this.ws()
      const c = this.s[this.i++]
      if (c === ']') return out
      if (c !== ',') throw new SyntaxError(`Expected ',' or ']' at position ${this.i - 1}`)
    }
  }

  private string(): string {
    if (this.s[this.i] !== '"') throw new SyntaxError(`Expected string at position ${this.i}`)
    STRING.lastIndex = this.i
    const m = STRING.exec(this.s)
    if (!m) throw new SyntaxError(`Bad string at position ${this.i}`)
    this.i += m[0].length
    return JSON.parse(m[0]) as string
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.i
    const m = NUMBER.exec(this.s)
    if (!m) throw new SyntaxError(`Bad number at position ${this.i}`)
    this.i += m[0].length
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0])
      return Number.isSafeInteger(n) ? n : BigInt(m[0])
    }
    return Number(m[0])
  }
}
