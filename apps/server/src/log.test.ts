import { Writable } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { loadConfig } from './config.ts'
import { createLogger } from './log.ts'
import { createRuntime } from './runtime.ts'

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

  it("writes a key a child binds once, the child's value, when a call passes it too", () => {
    const { lines, dest } = capture()
    const log = createLogger('info', dest as never)
    const child = log.child({ plugin: 'tmail' })
    const given = { plugin: 'tmail', n: 1 }
    child.warn(given, 'one')
    child.info({ plugin: 'other', n: 2 }, 'two')
    child.info({ n: 3 }, 'three')
    log.info({ service: 'x', plugin: 'tmail' }, 'four')
    expect(lines.map((l) => l.match(/"plugin":/g)?.length)).toEqual([1, 1, 1, 1])
    expect(lines.map((l) => l.match(/"service":/g)?.length)).toEqual([1, 1, 1, 1])
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { plugin: 'tmail', n: 1, msg: 'one' },
      { plugin: 'tmail', n: 2, msg: 'two' },
      { plugin: 'tmail', n: 3, msg: 'three' },
      { service: 'mailfront', plugin: 'tmail', msg: 'four' },
    ])
    // The caller's object is left as it was; an Error is still pino's `err`.
    expect(given).toEqual({ plugin: 'tmail', n: 1 })
    child.error(new Error('boom'), 'five')
    expect(JSON.parse(lines[4]!)).toMatchObject({ plugin: 'tmail', err: { message: 'boom' }, msg: 'five' })
  })

  it("writes a plugin's own log line with one `plugin` key (tmail's start warning)", async () => {
    const { lines, dest } = capture()
    const config = loadConfig({
      MAILFRONT_DATABASE_URL: 'memory:',
      MAILFRONT_SECRET: 'x'.repeat(40),
      MAILFRONT_DEMO: 'off',
      MAILFRONT_PLUGINS: 'tmail',
    })
    const rt = await createRuntime(config, createLogger('info', dest as never))
    try {
      rt.startBackground()
      const line = await vi.waitFor(() => {
        const l = lines.find((x) => x.includes('no tmail admin credential'))
        if (!l) throw new Error('no warning yet')
        return l
      })
      expect(line.match(/"plugin":/g)).toEqual(['"plugin":'])
      expect(JSON.parse(line)).toMatchObject({ level: 40, plugin: 'tmail' })
    } finally {
      await rt.close()
    }
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
