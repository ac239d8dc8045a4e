import { loginLimitsOf, loginThrottleOptions, opt, z } from '@mailfront/core'

const SERVER = /^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[\da-f:]+\](:\d{1,5})?|[\da-f:]+)$/i

/** A comma-separated list of DNS servers (`ip`, `ip:port`, `[ipv6]:port`); unset or blank: none. */
const dnsServers = z
  .string()
  .optional()
  .transform((v, c) => {
    if (!v?.trim()) return []
    const servers = v
      .trim()
      .split(',')
      .map((s) => s.trim())
    const bad = servers.find((s) => !SERVER.test(s))
    // The whole line, naming the bad entry (a list may hold several).
    if (bad)
      c.addIssue({
        code: 'custom',
        message: `MAILFRONT_MAILBOXORG_DNS_SERVERS must list IP addresses (ip or ip:port), got "${bad}"`,
      })
    return servers
  })
  .describe("DNS servers for domain.validate.spf (ip or ip:port, comma-separated); unset: the system's")

/** `MAILFRONT_MAILBOXORG_<KEY>` by camelCase key; a bad value stops the start with a line naming it. */
export const mailboxorgOptions = z.object({
  sessionTtlS: opt.whole(1200, 'Sliding session lifetime, seconds', 1),
  maxBatch: opt.whole(100, 'Calls per batch', 1),
  ...loginThrottleOptions,
  authAttempts: opt.olderName('MAILFRONT_MAILBOXORG_LOGIN_FAILURES'),
  authWindowS: opt.olderName('MAILFRONT_MAILBOXORG_LOGIN_WINDOW_S', 1),
  sessionCallsPerMin: opt.whole(1200, 'Calls per session and minute, per instance, in memory (0: off)'),
  dnsServers,
  spfInclude: z
    .string()
    .transform((v) => v.trim() || 'mailbox.org')
    .default('mailbox.org')
    .describe('The include an SPF record must reach to be ok'),
  vacationDays: opt.whole(7, 'Days before a vacation notice answers the same sender again', 1),
})
export type MailboxorgOptions = z.output<typeof mailboxorgOptions>

/** The core login throttle's limits for `auth`: the older names count when the new ones are at their defaults. */
export const loginLimits = (o: MailboxorgOptions) =>
  loginLimitsOf(o, { loginFailures: o.authAttempts, loginWindowS: o.authWindowS })
