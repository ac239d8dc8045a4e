import { describe, expect, it } from 'vitest'
import { startApp } from '../test/testkit.ts'
import { mailboxorgPlugin } from './index.ts'
import { sessionCalls } from './rate-limits.ts'

describe('the declared rate limits are the enforced ones', () => {
  it('lists the session limit and the two SMS limits, the session one turned off by 0', () => {
    const limits = mailboxorgPlugin().rateLimits!
    expect(limits.map((l) => [l.name, l.option])).toEqual([
      ['session-calls', 'sessionCallsPerMin'],
      ['sms-reset-mailbox', undefined],
      ['sms-reset-address', undefined],
    ])
    expect(sessionCalls.window({ sessionCallsPerMin: 0 } as never)).toBeNull()
  })

  it('session-calls: the declared window refuses the next call (1008) and opens once it passes', async () => {
    const t = await startApp({}, { session_calls_per_min: '3' })
    const window = sessionCalls.window(t.ctx.options as never)!
    expect(window).toEqual({ windowMs: 60_000, max: 3 })
    const session = await t.login('test_account', '123456')
    for (let i = 0; i < window.max; i++) await t.ok('hello.innerworld', '', session)
    const refused = await t.call('hello.innerworld', '', session)
    expect(refused.error?.code).toBe(1008)
    t.ctx.clock.advance(window.windowMs)
    await t.ok('hello.innerworld', '', session)
  })
})
