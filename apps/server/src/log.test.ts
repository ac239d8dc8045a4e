import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './log.ts'

function capture() {
  const lines: string[] = []
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      cb()
    },
  })
  return { lines, dest }
}

describe('logger', () => {
  it('redacts secrets in the main logger', () => {
    const { lines, dest } = capture()
    const log = createLogger('info', dest as never)
    log.info({ password: 'hunter2', headers: { authorization: 'Basic x' }, user: 'a' }, 'login')
    const line = JSON.parse(lines[0]!)
    expect(line).toMatchObject({
      level: 30,
      service: 'mailfront',
      password: '[redacted]',
      user: 'a',
      msg: 'login',
    })
    expect(lines[0]).not.toContain('hunter2')
  })

  it('writes request lines in the same format, as valid JSON, honouring the level', () => {
    const { lines, dest } = capture()
    createLogger('info', dest as never).access.info(
      { reqId: 'r"1', status: 200, ms: 1.5, path: '/a\nb' },
      'request',
    )
    const line = JSON.parse(lines[0]!)
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'mailfront',
      reqId: 'r"1',
      status: 200,
      ms: 1.5,
      path: '/a\nb',
      msg: 'request',
    })
    createLogger('warn', dest as never).access.info({ reqId: 'x' }, 'request')
    expect(lines).toHaveLength(1)
  })

  it('writes each value of a request line as JSON.stringify would, escapes and all', () => {
    const { lines, dest } = capture()
    const fields = {
      path: '/a/é/\u2028/😀/\ud800',
      q: 'x\\y\t"z"',
      n: -0,
      big: 1e21,
      nan: Number.NaN,
      ok: true,
      none: null,
      list: [1, 'a'],
      skipped: undefined,
    }
    createLogger('info', dest as never).access.info(fields, 'req "1"')
    const body = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join('')
    expect(lines[0]!.replace(/"time":\d+/, '"time":0')).toBe(
      `{"level":30,"time":0,"service":"mailfront"${body},"msg":"req \\"1\\""}`,
    )
  })
})
