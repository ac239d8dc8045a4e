import { defineRateLimit } from '@mailfront/core'
import type { MailboxorgOptions } from './options.ts'

/** Calls per session and minute, per instance, in memory (the API's error 1008 beyond). */
export const sessionCalls = defineRateLimit<MailboxorgOptions>({
  name: 'session-calls',
  counts: 'calls per session, per instance',
  option: 'sessionCallsPerMin',
  window: (o) => (o.sessionCallsPerMin ? { windowMs: 60_000, max: o.sessionCallsPerMin } : null),
})

const SMS_PER_HOUR = 5

/** Reset codes sent by SMS, per mailbox and hour (TOO_MANY_RESETS beyond). */
export const smsPerMailbox = defineRateLimit({
  name: 'sms-reset-mailbox',
  counts: 'reset SMS per mailbox',
  window: () => ({ windowMs: 3_600_000, max: SMS_PER_HOUR }),
})

/** Reset codes sent by SMS, per client address and hour: a few mailboxes' worth. */
export const smsPerAddress = defineRateLimit({
  name: 'sms-reset-address',
  counts: 'reset SMS per client address',
  window: () => ({ windowMs: 3_600_000, max: SMS_PER_HOUR * 4 }),
})

export const rateLimits = [sessionCalls, smsPerMailbox, smsPerAddress]
