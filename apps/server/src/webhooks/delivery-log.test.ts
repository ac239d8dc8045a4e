import { describe, expect, it } from 'vitest'
import { type DeliveryAttempt, DeliveryLog } from './delivery-log.ts'

const attempt = (n: number): DeliveryAttempt => ({
  eventId: `evt_${n}`,
  type: 'message.received',
  url: 'http://127.0.0.1:9/hook',
  attempt: 1,
  durationMs: 1,
  at: new Date(0).toISOString(),
  outcome: 'delivered',
})

describe('the webhook delivery log', () => {
  it('keeps the newest attempts up to its size, newest first', () => {
    const log = new DeliveryLog(3)
    for (let i = 1; i <= 5; i++) log.add(attempt(i))
    expect(log.list().map((a) => a.eventId)).toEqual(['evt_5', 'evt_4', 'evt_3'])
    log.clear()
    expect(log.list()).toEqual([])
  })

  it('tells its subscribers of each attempt until they unsubscribe', () => {
    const log = new DeliveryLog(10)
    const seen: string[] = []
    const stop = log.subscribe((a) => seen.push(a.eventId))
    log.add(attempt(1))
    stop()
    log.add(attempt(2))
    expect(seen).toEqual(['evt_1'])
  })
})
