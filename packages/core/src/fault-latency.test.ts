import { describe, expect, it } from 'vitest'
import { faultLatency } from './fault-latency.ts'

describe('faultLatency', () => {
  it('passes at once with no latency; an aborted signal cuts it short, before or during the wait', async () => {
    expect(await faultLatency(0)).toBe(true)
    expect(await faultLatency(undefined, new AbortController().signal)).toBe(true)
    expect(await faultLatency(5, AbortSignal.abort())).toBe(false)
    expect(await faultLatency(0, AbortSignal.abort())).toBe(false)
    const closing = new AbortController()
    // A minute's wait, ended by the abort rather than by time (no timed assertion).
    const wait = faultLatency(60_000, closing.signal)
    closing.abort()
    expect(await wait).toBe(false)
  })
  it('waits the time out when nothing aborts', async () => {
    expect(await faultLatency(1, new AbortController().signal)).toBe(true)
  })
})
