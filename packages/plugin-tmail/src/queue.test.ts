import { beforeEach, describe, expect, it } from 'vitest'
import { ctx, expectError, req, SEED_QUEUE, setup, TYPE } from '../test/plugin-harness.ts'
import { fixtures } from './fixtures.ts'
import { processQueue } from './queue.ts'

// The queue API and the queue processor (discard, bounce).

beforeEach(() => setup())

describe('queue', () => {
  it('lists the queue with the keys in order', async () => {
    const res = await req('GET', '/queue')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(TYPE)
    expect(await res.text()).toBe(JSON.stringify(SEED_QUEUE))
  })

  it('gets one message', async () => {
    expect(await (await req('GET', '/queue/1')).text()).toBe(JSON.stringify(SEED_QUEUE[0]))
  })

  it.each([
    ['x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ])('answers 400 with valid JSON for the id %s', async (id, raw) => {
    for (const path of [`/queue/${id}`, `/queue/discard/${id}`, `/queue/bounce/${id}`])
      await expectError(
        await req(path.startsWith('/queue/d') || path.startsWith('/queue/b') ? 'DELETE' : 'GET', path),
        400,
        'unable to get message id',
        raw,
      )
  })

  it('answers 404 for an unknown message', async () => {
    await expectError(await req('GET', '/queue/42'), 404, 'no such message 42')
    await expectError(await req('DELETE', '/queue/discard/-7'), 404, 'no such message -7')
    await expectError(
      await req('DELETE', '/queue/bounce/9223372036854775807'),
      404,
      'no such message 9223372036854775807',
    )
  })

  it('refuses to discard or bounce a message being delivered', async () => {
    for (const action of ['discard', 'bounce'])
      await expectError(
        await req('DELETE', `/queue/${action}/2`),
        422,
        `unable to ${action} message 2`,
        "delivery in progress, message status can't be changed",
      )
  })

  it('marks for discard (1) and bounce (3), re-marking allowed, and refreshes LastUpdate', async () => {
    const d = await req('DELETE', '/queue/discard/1')
    expect(d.status).toBe(200)
    expect(await d.text()).toBe('')
    let m = JSON.parse(await (await req('GET', '/queue/1')).text())
    expect(m.Status).toBe(1)
    expect(m.LastUpdate).not.toBe(SEED_QUEUE[0]!.LastUpdate)
    expect((await req('DELETE', '/queue/bounce/1')).status).toBe(200)
    m = JSON.parse(await (await req('GET', '/queue/1')).text())
    expect(m.Status).toBe(3)
  })
})

describe('queue processor', () => {
  it('deletes discarded messages and turns bounced ones into a bounce to the sender', async () => {
    await req('DELETE', '/queue/discard/1')
    await fixtures.load(ctx, fixtures.schema.parse({ queue: [{ ...SEED_QUEUE[1], Status: 3 }] }))
    expect(await processQueue(ctx)).toEqual({ discarded: 1, bounced: 1, doubleBounces: 0 })
    const q = JSON.parse(await (await req('GET', '/queue')).text())
    expect(q).toHaveLength(1)
    expect(q[0]).toMatchObject({
      Id: 3,
      MailFrom: '',
      AuthUser: '',
      RcptTo: 'toorop@tmail.io',
      Host: 'tmail.io',
      Status: 2,
    })
    expect(q[0].Uuid).toMatch(/^[0-9a-f]{40}$/)
    expect(await processQueue(ctx)).toEqual({ discarded: 0, bounced: 0, doubleBounces: 0 })
  })

  it('never bounces a bounce: it is only discarded', async () => {
    await fixtures.load(
      ctx,
      fixtures.schema.parse({ queue: [{ ...SEED_QUEUE[0], MailFrom: '', Status: 3 }] }),
    )
    expect(await processQueue(ctx)).toEqual({ discarded: 0, bounced: 0, doubleBounces: 1 })
    expect(JSON.parse(await (await req('GET', '/queue')).text()).map((m: { Id: number }) => m.Id)).toEqual([
      2,
    ])
  })

  it('acts on each row once when two instances run it together', async () => {
    await req('DELETE', '/queue/bounce/1')
    const [a, b] = await Promise.all([processQueue(ctx), processQueue(ctx)])
    expect(a.bounced + b.bounced).toBe(1)
  })
})
