import { createManualClock } from '@mailfront/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { post, runtime, runtimeClearingFaults } from '../../test/demo-runtime.ts'
import type { Runtime } from '../runtime.ts'
import { FaultSet } from './faults.ts'
import { parseReply, SmtpFaultInput, smtpFaultHooks } from './smtp-faults.ts'

const input = (f: object) => SmtpFaultInput.parse({ plugin: 'smtp', ...f })

describe('SMTP fault hooks over the fault set', () => {
  it('fires the next command of its stage only, with its reply, delay or drop', async () => {
    const set = new FaultSet()
    const hooks = smtpFaultHooks(set, createManualClock())
    set.insert(input({ stage: 'rcpt', reply: '451 4.7.1 try later', count: 1 }))
    set.insert(input({ stage: 'data', drop: true, latencyMs: 20 }))
    expect(await hooks.at('mail', 'u')).toBeUndefined()
    expect(await hooks.at('rcpt', 'u')).toEqual({ reply: { code: 451, text: '4.7.1 try later' } })
    expect(await hooks.at('rcpt', 'u')).toBeUndefined()
    expect(await hooks.at('data', 'u')).toEqual({ drop: true, latencyMs: 20 })
    expect(set.list().map((f) => [f.id, f.fired])).toEqual([[2, 1]])
  })

  it('draws its probability as the HTTP faults do', async () => {
    const draws = [0.7, 0.2]
    const set = new FaultSet(() => draws.shift()!)
    const hooks = smtpFaultHooks(set, createManualClock())
    set.insert(input({ stage: 'mail', reply: '452 4.3.1 Insufficient system storage', probability: 0.5 }))
    expect(await hooks.at('mail', 'u')).toBeUndefined()
    expect(await hooks.at('mail', 'u')).toEqual({
      reply: { code: 452, text: '4.3.1 Insufficient system storage' },
    })
    expect(set.list()[0]).toMatchObject({ fired: 1 })
  })

  it('limits each login to N messages per window of the clock, counted at MAIL, with 421 4.7.0', async () => {
    const clock = createManualClock()
    const set = new FaultSet()
    const hooks = smtpFaultHooks(set, clock)
    set.insert(input({ rateLimit: { messages: 2, perSeconds: 60 } }))
    // Two reservations before any message is accepted (two parallel sessions): the third is refused.
    expect(await hooks.reserve('alice')).toHaveProperty('giveBack')
    expect(await hooks.reserve('alice')).toHaveProperty('giveBack')
    clock.advance(15_000)
    const refused = {
      refusal: {
        reply: {
          code: 421,
          text: '4.7.0 Too many messages: at most 2 per 60 seconds for this login, try again in 45 seconds',
        },
      },
    }
    expect(await hooks.reserve('alice')).toEqual(refused)
    // Another login has its own window; stages are not limited.
    expect(await hooks.reserve('bob')).toHaveProperty('giveBack')
    expect(await hooks.at('mail', 'alice')).toBeUndefined()
    clock.advance(45_000)
    expect(await hooks.reserve('alice')).toHaveProperty('giveBack')
    expect(set.list()[0]).toMatchObject({ fired: 1 })
  })

  it('a message not accepted gives its count back; a refusal takes none', async () => {
    const set = new FaultSet()
    const hooks = smtpFaultHooks(set, createManualClock())
    set.insert(input({ rateLimit: { messages: 1, perSeconds: 60 } }))
    const first = await hooks.reserve('alice')
    expect(await hooks.reserve('alice')).toHaveProperty('refusal')
    if (!('giveBack' in first)) throw new Error('the first message must pass')
    await first.giveBack()
    await first.giveBack() // twice gives back once
    const again = await hooks.reserve('alice')
    expect(again).toHaveProperty('giveBack')
    expect(await hooks.reserve('alice')).toHaveProperty('refusal')
  })

  it('counts nothing and answers nothing once the faults are cleared', async () => {
    const set = new FaultSet()
    const hooks = smtpFaultHooks(set, createManualClock())
    set.insert(input({ rateLimit: { messages: 1, perSeconds: 60 } }))
    await hooks.reserve('alice')
    set.clear()
    expect(await hooks.reserve('alice')).toHaveProperty('giveBack')
    // A new limit starts from zero: the old one's count was under its own id.
    set.insert(input({ rateLimit: { messages: 1, perSeconds: 60 } }))
    expect(await hooks.reserve('alice')).toHaveProperty('giveBack')
  })

  it('splits a reply into its code and the text as sent', () => {
    expect(parseReply('451 4.7.1 try later')).toEqual({ code: 451, text: '4.7.1 try later' })
    expect(parseReply('554')).toEqual({ code: 554, text: '' })
  })
})

describe('POST /_mailfront/faults with plugin smtp', () => {
  const current = runtimeClearingFaults()
  let rt: Runtime
  beforeEach(() => {
    rt = current()
  })

  it('adds, lists and clears SMTP faults beside the HTTP ones', async () => {
    const a = await post(rt, '/_mailfront/faults', {
      plugin: 'smtp',
      stage: 'rcpt',
      reply: '451 4.7.1 try later',
    })
    expect(a.status).toBe(201)
    const added = await a.json()
    expect(added).toEqual({
      plugin: 'smtp',
      stage: 'rcpt',
      reply: '451 4.7.1 try later',
      probability: 1,
      id: added.id,
      fired: 0,
    })
    const r = await post(rt, '/_mailfront/faults', {
      plugin: 'smtp',
      rateLimit: { messages: 3, perSeconds: 60 },
      count: 2,
    })
    expect(r.status).toBe(201)
    expect((await post(rt, '/_mailfront/faults', { plugin: 'tmail', status: 500 })).status).toBe(201)
    const listed = (await (await rt.app.request('/_mailfront/faults')).json()) as {
      faults: { plugin: string }[]
      smtp: { stages: string[] }
    }
    expect(listed.faults.map((f) => f.plugin)).toEqual(['smtp', 'smtp', 'tmail'])
    expect(listed.smtp).toEqual({ stages: ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data'] })
    await rt.app.request('/_mailfront/faults', { method: 'DELETE' })
    expect(((await (await rt.app.request('/_mailfront/faults')).json()) as { faults: [] }).faults).toEqual([])
  })

  it('rejects a bad SMTP fault, naming what is wrong', async () => {
    const bad = async (f: object) => {
      const res = await post(rt, '/_mailfront/faults', { plugin: 'smtp', ...f })
      expect(res.status, JSON.stringify(f)).toBe(400)
      return ((await res.json()) as { error: string }).error
    }
    expect(await bad({ stage: 'quit', reply: '451 x' })).toMatch(
      /^stage: Invalid option: expected one of "connect"\|"ehlo"\|"auth"\|"mail"\|"rcpt"\|"data"/,
    )
    expect(await bad({ reply: '451 x' })).toBe(
      'stage: give a stage (connect, ehlo, auth, mail, rcpt, data) or a rateLimit',
    )
    expect(await bad({ stage: 'rcpt', reply: '250 2.0.0 ok' })).toBe(
      'reply: the code must be a failure, 4xx or 5xx (400-559), not 250',
    )
    expect(await bad({ stage: 'rcpt', reply: '471 try' })).toBe(
      'reply: the code must be a failure, 4xx or 5xx (400-559), not 471',
    )
    expect(await bad({ stage: 'rcpt', reply: '451 try\r\n250 injected' })).toBe(
      'reply: one line of printable ASCII (no CR, LF, tab or other control characters)',
    )
    expect(await bad({ stage: 'rcpt', reply: '451 déjà' })).toBe(
      'reply: one line of printable ASCII (no CR, LF, tab or other control characters)',
    )
    expect(await bad({ stage: 'rcpt', reply: '451try later' })).toBe(
      'reply: a 3-digit code, then a space and the text, e.g. "451 4.7.1 try later"',
    )
    // A code alone is valid SMTP, but clients (swaks) wait for more: the text is required.
    for (const reply of ['451', '451 ', '451   '])
      expect(await bad({ stage: 'rcpt', reply })).toBe(
        'reply: a 3-digit code, then a space and the text, e.g. "451 4.7.1 try later"',
      )
    expect(await bad({ stage: 'rcpt', reply: '451 5.7.1 try later' })).toBe(
      "reply: the enhanced status code's class (5) must be the reply's (4)",
    )
    expect(await bad({ stage: 'rcpt', reply: `451 ${'x'.repeat(507)}` })).toBe(
      'reply: at most 510 characters (an SMTP reply line is 512 with its CRLF)',
    )
    expect(await bad({ stage: 'rcpt' })).toBe('(body): give reply, drop or latencyMs')
    expect(await bad({ stage: 'rcpt', reply: '451 x', drop: true })).toBe(
      '(body): give reply or drop, not both',
    )
    expect(await bad({ stage: 'rcpt', latencyMs: -1 })).toMatch(/^latencyMs: /)
    expect(await bad({ stage: 'rcpt', drop: true, probability: 2 })).toMatch(/^probability: /)
    expect(await bad({ stage: 'rcpt', drop: true, count: 0 })).toMatch(/^count: /)
    expect(await bad({ stage: 'rcpt', drop: true, status: 500 })).toMatch(
      /^\(body\): Unrecognized key: "status"/,
    )
    expect(await bad({ rateLimit: { messages: 3, perSeconds: 60 }, stage: 'mail' })).toBe(
      'rateLimit: give it alone: the limit answers 421 4.7.0 at MAIL FROM (stage, reply, drop and latencyMs are for stage faults)',
    )
    expect(await bad({ rateLimit: { messages: 0, perSeconds: 60 } })).toMatch(/^rateLimit\.messages: /)
    expect(await bad({ rateLimit: { messages: 3 } })).toMatch(/^rateLimit\.perSeconds: /)
  })

  it('is described in the admin OpenAPI document, from the validator (the route declaration)', async () => {
    const doc = await (await rt.app.request('/openapi/_mailfront.json')).json()
    expect(doc.paths['/faults'].post.requestBody.content['application/json'].schema.anyOf).toEqual([
      { $ref: '#/components/schemas/HttpFault' },
      { $ref: '#/components/schemas/SmtpFault' },
    ])
    const smtp = doc.components.schemas.SmtpFault
    expect(smtp.properties.plugin).toEqual({ type: 'string', enum: ['smtp'] })
    expect(smtp.properties.stage.enum).toEqual(['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data'])
    expect(Object.keys(smtp.properties)).toEqual([
      'plugin',
      'stage',
      'reply',
      'latencyMs',
      'drop',
      'rateLimit',
      'probability',
      'count',
    ])
    expect(smtp.properties.rateLimit.required).toEqual(['messages', 'perSeconds'])
  })
})

describe('SMTP faults without an SMTP port', () => {
  it('are refused, saying why', async () => {
    const rt = await runtime({ MAILFRONT_SMTP_PORT: 'off' })
    try {
      const res = await post(rt, '/_mailfront/faults', { plugin: 'smtp', stage: 'rcpt', drop: true })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: 'plugin: the SMTP port is off (MAILFRONT_SMTP_PORT=off)' })
      const listed = (await (await rt.app.request('/_mailfront/faults')).json()) as Record<string, unknown>
      expect(listed.smtp).toBeUndefined()
    } finally {
      await rt.close()
    }
  })
})
