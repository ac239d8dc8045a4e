import { connect } from 'node:net'
import { createManualClock, type DeliveryEvent, MailRejection, memoryAdapter } from '@mailfront/core'
import { watch } from '@mailfront/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { mailModels } from './models.ts'
import type { Relay } from './relay.ts'
import { createMailPipeline } from './service.ts'
import { simulatedOutcome } from './simulator.ts'
import { createSmtpListener } from './smtp.ts'
import { startWorker } from './worker.ts'

const SIM = 'simulator.mailfront.test'
const HOUR = 3_600_000

/** A relay that records what it is asked to send: simulator mail must never reach it. */
function recordingRelay(): Relay & { sent: string[] } {
  const sent: string[] = []
  return {
    sent,
    async send(env) {
      sent.push(env.to)
      return { kind: 'delivered', response: '250 OK' }
    },
    async close() {},
  }
}

async function setup(o: { mode?: 'capture' | 'relay'; domain?: string | null; maxAttempts?: number } = {}) {
  const storage = memoryAdapter()
  await storage.migrate(mailModels)
  const clock = createManualClock(Date.UTC(2026, 5, 10, 12))
  const real = createManualClock(Date.UTC(2026, 5, 10, 12)) // real time, for slow@'s other limit
  const logged: [string, object | string, string | undefined][] = []
  const at = (level: string) => (obj: object | string, msg?: string) => {
    logged.push([level, obj, msg])
  }
  const p = createMailPipeline({
    storage,
    clock,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    simulatorRealClock: real,
    hostname: 'mx.test',
    ...(o.domain !== undefined ? { simulatorDomain: o.domain } : {}),
  })
  const events: DeliveryEvent[] = []
  p.onEvent((e) => {
    events.push(e)
  })
  const relay = recordingRelay()
  const w = startWorker(p, {
    mode: o.mode ?? 'relay',
    relay,
    pollMs: HOUR,
    retryDelayMs: 60_000,
    maxAttempts: o.maxAttempts ?? 10,
  })
  const send = (to: string[], from = 'app@example.com', signal?: AbortSignal) =>
    p.submit({
      ...(signal ? { signal } : {}),
      envelope: { from, to },
      raw: Buffer.from(`From: ${from}\r\nSubject: sim\r\nMessage-ID: <s1@example.com>\r\n\r\nHi\r\n`),
      plugin: 'smtpd',
      principal: 'acct',
      via: 'api',
    })
  const state = async (id: string) => (await p.get(id))!.recipients
  const dsns = async () => (await p.list({ limit: 50 })).filter((m) => m.via === 'dsn')
  const dsnText = async () => Buffer.from((await p.raw((await dsns())[0]!.id))!).toString()
  return { p, clock, real, w, relay, events, logged, send, state, dsns, dsnText }
}

describe('simulatedOutcome', () => {
  it('reads the local part, a +label and defer+<n>', () => {
    expect(simulatedOutcome('delivered')).toEqual({ kind: 'delivered' })
    expect(simulatedOutcome('Bounce+order-17')).toEqual({ kind: 'bounce' })
    expect(simulatedOutcome('defer')).toEqual({ kind: 'defer', failures: 1 })
    expect(simulatedOutcome('defer+3')).toEqual({ kind: 'defer', failures: 3 })
    expect(simulatedOutcome('defer+late')).toEqual({ kind: 'defer', failures: 1 })
    expect(simulatedOutcome('defer+3+order-17')).toEqual({ kind: 'defer', failures: 3 })
    expect(simulatedOutcome('defer+007')).toEqual({ kind: 'defer', failures: 7 })
    expect(simulatedOutcome('defer+100')).toEqual({ kind: 'defer', failures: 100 })
    expect(simulatedOutcome('defer+2024-12')).toEqual({ kind: 'defer', failures: 1 }) // a label, not a count
    expect(simulatedOutcome('deferfail')).toEqual({ kind: 'deferfail' })
    expect(simulatedOutcome('reject')).toEqual({ kind: 'reject' })
    expect(simulatedOutcome('slow')).toEqual({ kind: 'slow' })
    expect(simulatedOutcome('someone')).toBeNull()
    expect(simulatedOutcome('deliveredx')).toBeNull()
  })

  it.each(['0', '101', '2024', '2024+order-17'])('refuses defer+%s@: a count out of 1..100', (n) =>
    expect(() => simulatedOutcome(`defer+${n}`)).toThrow(
      new RangeError(
        `defer+<n> takes 1 to 100 failures, not ${n.split('+')[0]} (a label after it: defer+3+order-17)`,
      ),
    ),
  )
})

describe.each(['relay', 'capture'] as const)('simulator addresses (%s mode)', (mode) => {
  it('delivered@: delivered at the first round, never relayed', async () => {
    const t = await setup({ mode })
    const m = await t.send([`delivered@${SIM}`, `Delivered+x@${SIM.toUpperCase()}`])
    expect(await t.w.runOnce()).toBe(2)
    expect((await t.state(m.id)).map((r) => [r.state, r.attempts, r.lastResponse])).toEqual([
      ['delivered', 1, `250 2.0.0 <delivered@${SIM}>: delivered (mailfront simulator)`],
      ['delivered', 1, `250 2.0.0 <Delivered+x@${SIM.toUpperCase()}>: delivered (mailfront simulator)`],
    ])
    expect(t.relay.sent).toEqual([])
    await t.w.stop()
  })

  it('bounce@: a hard bounce with a DSN to the sender (5.1.1) and a bounced event', async () => {
    const t = await setup({ mode })
    const m = await t.send([`bounce@${SIM}`])
    await t.w.runOnce()
    expect((await t.state(m.id))[0]).toMatchObject({ state: 'bounced', attempts: 1 })
    expect((await t.dsns()).map((d) => d.envelope)).toEqual([{ from: '', to: ['app@example.com'] }])
    const dsn = await t.dsnText()
    expect(dsn).toContain(`Final-Recipient: rfc822; bounce@${SIM}`)
    expect(dsn).toContain('Status: 5.1.1')
    expect(dsn).toContain('Diagnostic-Code: smtp; 550 5.1.1')
    expect(t.events.filter((e) => e.messageId === m.id).map((e) => e.type)).toEqual(['submitted', 'bounced'])
    // The DSN to an outside sender goes as the mode says (relayed in relay mode); the bounce never.
    await t.w.runOnce()
    expect(t.relay.sent).toEqual(mode === 'relay' ? ['app@example.com'] : [])
    await t.w.stop()
  })

  it('defer+3@: deferred on the retry schedule three times, then delivered', async () => {
    const t = await setup({ mode })
    const m = await t.send([`defer+3@${SIM}`])
    const delays = [60_000, 120_000, 240_000]
    for (const [i, delay] of delays.entries()) {
      expect(await t.w.runOnce()).toBe(1)
      const [e] = await t.state(m.id)
      expect(e).toMatchObject({ state: 'deferred', attempts: i + 1, nextAttemptAt: t.clock.now() + delay })
      expect(e!.lastResponse).toBe(
        `451 4.4.1 <defer+3@${SIM}>: temporary failure ${i + 1} of 3 (mailfront simulator)`,
      )
      t.clock.advance(delay - 1)
      expect(await t.w.runOnce()).toBe(0) // not due yet
      t.clock.advance(1)
    }
    expect(await t.w.runOnce()).toBe(1)
    expect((await t.state(m.id))[0]).toMatchObject({ state: 'delivered', attempts: 4 })
    const types = t.events.filter((e) => e.messageId === m.id).map((e) => e.type)
    expect(types).toEqual(['submitted', 'deferred', 'deferred', 'deferred', 'delivered'])
    expect(t.relay.sent).toEqual([])
    await t.w.stop()
  })

  it('defer@ fails once; deferfail@ is retried until the queue gives up, then bounced with a DSN', async () => {
    const t = await setup({ mode, maxAttempts: 3 })
    const once = await t.send([`defer@${SIM}`])
    const fail = await t.send([`deferfail@${SIM}`])
    await t.w.runOnce()
    t.clock.advance(60_000)
    await t.w.runOnce()
    expect((await t.state(once.id))[0]).toMatchObject({ state: 'delivered', attempts: 2 })
    expect((await t.state(fail.id))[0]).toMatchObject({ state: 'deferred', attempts: 2 })
    t.clock.advance(120_000)
    await t.w.runOnce()
    const [e] = await t.state(fail.id)
    expect(e).toMatchObject({ state: 'bounced', attempts: 3 })
    expect(e!.lastResponse).toBe(
      `gave up after 3 attempts; last: 451 4.4.1 <deferfail@${SIM}>: temporary failure 3 until the queue gives up (mailfront simulator)`,
    )
    expect((await t.dsns()).map((d) => d.envelope.to)).toEqual([['app@example.com']])
    expect(await t.dsnText()).toContain('Status: 4.4.7') // delivery time expired: the pipeline's give-up status
    await t.w.runOnce()
    expect(t.relay.sent).toEqual(mode === 'relay' ? ['app@example.com'] : [])
    await t.w.stop()
  })
})

describe('simulator addresses at submit', () => {
  it('reject@ and an unknown local part are refused with 550 5.1.1; with others, bounced at once', async () => {
    const t = await setup()
    const refused = await t.send([`reject@${SIM}`]).catch((e) => e)
    expect(refused).toBeInstanceOf(MailRejection)
    expect([refused.code, refused.message]).toEqual([
      550,
      `5.1.1 <reject@${SIM}>: recipient address rejected (mailfront simulator)`,
    ])
    const unknown = await t.send([`nobody@${SIM}`]).catch((e) => e)
    expect([unknown.code, unknown.message]).toEqual([
      550,
      `5.1.1 <nobody@${SIM}>: no such simulator address (use delivered, bounce, defer, defer+<n>, deferfail, reject, slow)`,
    ])
    expect(await t.p.list()).toEqual([])
    const m = await t.send([`reject@${SIM}`, `delivered@${SIM}`])
    expect((await t.state(m.id)).map((r) => r.state)).toEqual(['bounced', 'queued'])
    expect((await t.dsns()).map((d) => d.envelope.to)).toEqual([['app@example.com']])
    await t.w.stop()
  })

  it('defer+<n>@ with a count out of 1..100 is refused with 550 5.1.1 saying so', async () => {
    const t = await setup()
    const refused = await t.send([`defer+2024@${SIM}`]).catch((e) => e)
    expect([refused.code, refused.message]).toEqual([
      550,
      `5.1.1 <defer+2024@${SIM}>: defer+<n> takes 1 to 100 failures, not 2024 (a label after it: defer+3+order-17) (mailfront simulator)`,
    ])
    expect(await t.p.list()).toEqual([])
    await t.w.stop()
  })

  it('slow@ is accepted once the clock has moved 5 s on; other submissions go on meanwhile', async () => {
    const t = await setup()
    const slow = watch(t.send([`slow@${SIM}`]))
    const other = await t.send([`delivered@${SIM}`])
    expect(other.recipients[0]!.state).toBe('queued')
    expect((await slow.settled()).done).toBe(false) // neither clock has moved
    t.clock.advance(4999)
    expect((await slow.settled()).done).toBe(false)
    t.clock.advance(1)
    expect((await slow.promise).recipients[0]).toMatchObject({ recipient: `slow@${SIM}`, state: 'queued' })
    await t.w.runOnce()
    expect((await t.state((await slow.promise).id))[0]!.state).toBe('delivered')
    await t.w.stop()
  })

  it('slow@ moved back (a reset after an advance) waits no longer than 5 s of real time', async () => {
    const t = await setup()
    const slow = watch(t.send([`slow@${SIM}`]))
    t.clock.advance(3000)
    t.clock.advance(-3000 - 3_600_000) // back: by the clock it now has 1 h 5 s to go
    t.real.advance(4999)
    expect((await slow.settled()).done).toBe(false)
    t.real.advance(1)
    expect((await slow.promise).recipients[0]).toMatchObject({ recipient: `slow@${SIM}`, state: 'queued' })
    await t.w.stop()
  })

  it('slow@ whose submitter is gone (its signal aborted) is refused with the reason and never stored', async () => {
    const t = await setup()
    const gone = new AbortController()
    const slow = watch(t.send([`slow@${SIM}`], 'app@example.com', gone.signal))
    expect((await slow.settled()).done).toBe(false)
    gone.abort(new MailRejection(421, '4.4.2 Connection closed'))
    expect((await slow.settled()).error).toEqual(new MailRejection(421, '4.4.2 Connection closed'))
    t.clock.advance(5000)
    t.real.advance(5000)
    await slow.settled()
    expect(await t.p.list()).toEqual([])
    // Aborted before it is submitted: refused at once.
    await expect(t.send([`slow@${SIM}`], 'app@example.com', gone.signal)).rejects.toThrow('4.4.2')
    expect(await t.p.list()).toEqual([])
    await t.w.stop()
  })

  it("slow@ whose HTTP client is gone (a request's signal, a plain reason): 421 4.4.2, logged, no event", async () => {
    const t = await setup()
    const request = new AbortController()
    const slow = watch(t.send([`slow@${SIM}`], 'app@example.com', request.signal))
    expect((await slow.settled()).done).toBe(false)
    // What @hono/node-server aborts a request with when its client closes the connection.
    request.abort('Client connection prematurely closed.')
    expect((await slow.settled()).error).toEqual(
      new MailRejection(421, '4.4.2 Client went away before acceptance'),
    )
    t.clock.advance(5000)
    t.real.advance(5000)
    await new Promise((r) => setImmediate(r))
    expect(await t.p.list()).toEqual([])
    expect(t.events).toEqual([])
    const said = {
      plugin: 'smtpd',
      principal: 'acct',
      via: 'api',
      from: 'app@example.com',
      rcpts: 1,
      client: undefined,
    }
    expect(t.logged.filter(([, , m]) => m?.startsWith('mail '))).toEqual([
      ['info', said, 'mail held: slow@ waits up to 5000 ms before acceptance'],
      [
        'info',
        { ...said, reason: '421 4.4.2 Client went away before acceptance' },
        'mail abandoned while slow@ waited: never stored',
      ],
    ])
    await t.w.stop()
  })

  it('closing the pipeline refuses a waiting slow@ with 421 4.3.2 before the store closes', async () => {
    const t = await setup()
    const slow = watch(t.send([`slow@${SIM}`]))
    t.p.close()
    expect((await slow.settled()).error).toMatchObject({
      code: 421,
      message: '4.3.2 mailfront is shutting down; try again later',
    })
    t.clock.advance(5000)
    await slow.settled()
    expect(await t.p.list()).toEqual([])
    await t.w.stop()
  })

  it('a DSN to a simulator sender is delivered by the simulator, never relayed', async () => {
    const t = await setup()
    await t.send([`bounce@${SIM}`], `delivered@${SIM}`)
    await t.w.runOnce()
    await t.w.runOnce() // the DSN
    const [dsn] = await t.dsns()
    expect((await t.state(dsn!.id))[0]).toMatchObject({ state: 'delivered', recipient: `delivered@${SIM}` })
    expect(t.relay.sent).toEqual([])
    await t.w.stop()
  })

  it('a DSN to a refused simulator address (reject@ as sender) ends there: no bounce for a bounce, nothing relayed', async () => {
    const t = await setup()
    await t.send([`bounce@${SIM}`], `reject@${SIM}`)
    await t.w.runOnce()
    await t.w.runOnce()
    const [dsn] = await t.dsns()
    expect((await t.state(dsn!.id))[0]).toMatchObject({ state: 'bounced', recipient: `reject@${SIM}` })
    expect(await t.dsns()).toHaveLength(1)
    expect(t.relay.sent).toEqual([])
    await t.w.stop()
  })

  it('turned off (null domain), the addresses are ordinary recipients', async () => {
    const t = await setup({ domain: null })
    const m = await t.send([`reject@${SIM}`, `bounce@${SIM}`])
    await t.w.runOnce()
    expect((await t.state(m.id)).map((r) => r.state)).toEqual(['delivered', 'delivered'])
    expect(t.relay.sent).toEqual([`reject@${SIM}`, `bounce@${SIM}`])
    await t.w.stop()
  })

  it('another domain can be chosen', async () => {
    const t = await setup({ domain: 'sim.example.test' })
    expect(await t.send(['reject@sim.example.test']).catch((e) => e.code)).toBe(550)
    const m = await t.send([`reject@${SIM}`])
    expect(m.recipients[0]!.state).toBe('queued')
    await t.w.stop()
  })
})

describe('slow@ on the SMTP port: the client gone, the listener closed', () => {
  const stops: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const s of stops.splice(0)) await s()
  })

  /** The listener over a simulator pipeline; each submission's signal is handed to `submitted`. */
  async function listen() {
    const t = await setup()
    const signals: AbortSignal[] = []
    const results: Promise<unknown>[] = []
    let seen: (() => void) | undefined
    const l = createSmtpListener({
      mail: {
        ...t.p,
        submit: (input) => {
          signals.push(input.signal!)
          const r = t.p.submit(input)
          results.push(r.catch((e) => e))
          seen?.()
          return r
        },
      },
      sources: [
        {
          plugin: 'test',
          auth: {
            hasLogin: async (login) => login === 'user',
            authenticate: async (login, pw) =>
              login === 'user' && pw === 'secret' ? { principal: 'p1' } : null,
          },
        },
      ],
      maxSize: 10_000,
      maxClientsPerAddress: 5,
      hostname: 'mx.test',
    })
    const port = await l.listen(0, '127.0.0.1')
    stops.push(() => t.w.stop())
    const submitted = async () => {
      while (!signals.length) await new Promise<void>((r) => (seen = r))
      return { signal: signals[0]!, result: results[0]! }
    }
    return { t, l, port, submitted }
  }

  /** A client speaking SMTP line by line, up to the end of a message to slow@ (its reply not read). */
  async function sendSlow(port: number) {
    const socket = connect(port, '127.0.0.1')
    socket.setEncoding('utf8')
    const replies: string[] = []
    let more: (() => void) | undefined
    let buf = ''
    socket.on('data', (d: string) => {
      buf += d
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        if (/^\d{3} /.test(line)) replies.push(line) // the last line of a reply
        more?.()
      }
    })
    socket.on('error', () => undefined) // destroyed on purpose below
    const reply = async () => {
      while (!replies.length) await new Promise<void>((r) => (more = r))
      return replies.shift()!
    }
    const say = async (line: string) => {
      socket.write(`${line}\r\n`)
      return reply()
    }
    expect(await reply()).toMatch(/^220 /)
    expect(await say('EHLO client.test')).toMatch(/^250 /)
    expect(await say(`AUTH PLAIN ${Buffer.from('\0user\0secret').toString('base64')}`)).toMatch(/^235 /)
    expect(await say('MAIL FROM:<app@example.com>')).toMatch(/^250 /)
    expect(await say(`RCPT TO:<slow@${SIM}>`)).toMatch(/^250 /)
    expect(await say('DATA')).toMatch(/^354 /)
    socket.write('From: app@example.com\r\nSubject: slow\r\n\r\nHi\r\n.\r\n')
    return { socket, reply }
  }

  it('the connection closed while slow@ waits: abandoned, never stored, even once the clock moves', async () => {
    const { t, l, port, submitted } = await listen()
    stops.push(() => l.close())
    const c = await sendSlow(port)
    const { signal, result } = await submitted()
    expect(signal.aborted).toBe(false)
    c.socket.destroy()
    expect(await result).toEqual(new MailRejection(421, '4.4.2 Connection closed'))
    t.clock.advance(5000)
    t.real.advance(5000)
    await new Promise((r) => setImmediate(r))
    expect(await t.p.list()).toEqual([])
  })

  it('the listener closed while slow@ waits: 421 4.3.2 to the client, nothing stored', async () => {
    const { t, l, port, submitted } = await listen()
    const c = await sendSlow(port)
    const { result } = await submitted()
    const closed = l.close()
    expect(await c.reply()).toBe('421 4.3.2 Service shutting down')
    expect(await result).toEqual(new MailRejection(421, '4.3.2 Service shutting down'))
    c.socket.end('QUIT\r\n')
    await closed
    t.clock.advance(5000)
    await new Promise((r) => setImmediate(r))
    expect(await t.p.list()).toEqual([])
  })
})
