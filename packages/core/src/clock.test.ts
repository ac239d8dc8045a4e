import { describe, expect, it } from 'vitest'
import {
  type Clock,
  createManualClock,
  createMovableClock,
  parseDuration,
  sleepUntil,
  systemClock,
} from './clock.ts'
import { watch } from './testing/watch.ts'

describe('movable clock', () => {
  it('is the base time plus an offset that advance, set and reset move', () => {
    const base = createManualClock(Date.parse('2026-01-01T00:00:00Z'))
    const c = createMovableClock(base)
    expect(c.now()).toBe(base.now())
    c.advance(parseDuration('31d'))
    expect(new Date(c.now()).toISOString()).toBe('2026-02-01T00:00:00.000Z')
    base.advance(1000) // time still runs while moved
    expect(new Date(c.now()).toISOString()).toBe('2026-02-01T00:00:01.000Z')
    c.set(new Date('2030-05-05T05:05:05Z'))
    expect(new Date(c.now()).toISOString()).toBe('2030-05-05T05:05:05.000Z')
    expect(c.offset()).toBe(Date.parse('2030-05-05T05:05:05Z') - base.now())
    c.reset()
    expect(c.now()).toBe(base.now())
    expect(c.offset()).toBe(0)
  })
})

describe('sleepUntil', () => {
  it('manual clock: wakes when advanced or set to the time, not before; at once when already there', async () => {
    const c = createManualClock(1000)
    const w = watch(c.sleepUntil(6000))
    expect((await w.settled()).done).toBe(false)
    c.advance(4999)
    expect((await w.settled()).done).toBe(false)
    c.advance(1)
    expect((await w.settled()).done).toBe(true)
    const s = watch(c.sleepUntil(10_000))
    c.set(new Date(10_000))
    expect((await s.settled()).done).toBe(true)
    await c.sleepUntil(c.now()) // already reached
    await c.sleepUntil(0)
  })

  it('manual clock: moved back, it sleeps on; several sleepers each wake at their own time', async () => {
    const c = createManualClock(0)
    const a = watch(c.sleepUntil(100))
    const b = watch(c.sleepUntil(200))
    c.set(-500)
    expect([(await a.settled()).done, (await b.settled()).done]).toEqual([false, false])
    c.set(150)
    expect([(await a.settled()).done, (await b.settled()).done]).toEqual([true, false])
    c.advance(50)
    expect((await b.settled()).done).toBe(true)
  })

  it('rejects with the signal reason when aborted, before or during the sleep, and lets go of the clock', async () => {
    const c = createManualClock(0)
    const ac = new AbortController()
    const w = watch(c.sleepUntil(100, ac.signal))
    ac.abort(new Error('connection closed'))
    expect((await w.settled()).error).toEqual(new Error('connection closed'))
    await expect(c.sleepUntil(100, ac.signal)).rejects.toThrow('connection closed')
    // Already reached and aborted: the abort wins (the caller asked to stop).
    await expect(c.sleepUntil(0, ac.signal)).rejects.toThrow('connection closed')
    c.advance(100) // nothing left to wake
  })

  it('movable clock: woken by advance and set, sleeps on after a move back, then follows its base', async () => {
    const base = createManualClock(0)
    const c = createMovableClock(base)
    const w = watch(c.sleepUntil(5000))
    c.advance(3000)
    expect((await w.settled()).done).toBe(false)
    c.reset() // moved back: 5 s to go again
    base.advance(4999)
    expect((await w.settled()).done).toBe(false)
    base.advance(1) // the base reaches it with the offset at 0
    expect((await w.settled()).done).toBe(true)
    const s = watch(c.sleepUntil(c.now() + 60_000))
    c.set(c.now() + 60_000)
    expect((await s.settled()).done).toBe(true)
    const m = watch(c.sleepUntil(c.now() + 10_000))
    c.advance(4000)
    base.advance(6000) // offset and base time both count
    expect((await m.settled()).done).toBe(true)
  })

  it('movable clock over the system clock: the time left passes on a real timer; aborting clears it', async () => {
    const c = createMovableClock()
    await c.sleepUntil(c.now() + 1) // one real millisecond: the timer path, not a timed assertion
    const ac = new AbortController()
    const w = watch(c.sleepUntil(c.now() + 86_400_000, ac.signal))
    ac.abort(new Error('closed'))
    expect((await w.settled()).error).toEqual(new Error('closed'))
    const moved = watch(c.sleepUntil(c.now() + 86_400_000))
    c.advance(86_400_000)
    expect((await moved.settled()).done).toBe(true)
  })

  it('the system clock and a clock without sleepUntil wait on real timers', async () => {
    await systemClock.sleepUntil!(Date.now() + 1)
    let t = 0
    const plain: Clock = { now: () => t }
    const ac = new AbortController()
    const w = watch(sleepUntil(plain, 50, ac.signal)) // stands still: only the abort ends it
    expect((await w.settled()).done).toBe(false)
    ac.abort(new Error('stop'))
    expect((await w.settled()).error).toEqual(new Error('stop'))
    t = 50
    await sleepUntil(plain, 50)
    await expect(
      sleepUntil(systemClock, Date.now() + 86_400_000, AbortSignal.abort(new Error('x'))),
    ).rejects.toThrow('x')
  })
})

describe('parseDuration', () => {
  it.each([
    ['31d', 31 * 86_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['2w', 14 * 86_400_000],
    ['-2h', -7_200_000],
    ['0', 0],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', 'd', '3 days', '1.5h', '1y', 'h1', '5', '1500', '-2'])('refuses %j', (text) =>
    expect(() => parseDuration(text)).toThrow(RangeError),
  )
})
