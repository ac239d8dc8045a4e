import { loginThrottleOptions, opt, z } from '@mailfront/core'
import type { Resolver } from './sending/dns.ts'
import { HOST, type SendingOptions } from './sending/options.ts'

/** `MAILFRONT_SMTPD_<KEY>` by camelCase key. */
export const smtpdOptions = z.object({
  issuer: z
    .string()
    .refine((v) => v.trim() !== '', 'must not be empty')
    .default('SMTPD Inc')
    .describe('The JWT `iss` claim'),
  accessTtlS: opt.whole(3600, 'Access-token lifetime, seconds', 1),
  refreshTtlDays: opt.whole(30, 'Refresh-token lifetime from its grant, days', 1),
  keyIdleDays: opt.whole(90, 'An API key unused this many days stops working', 1),
  ...loginThrottleOptions,
  grantAttempts: opt.olderName('MAILFRONT_SMTPD_LOGIN_FAILURES'),
  grantWindowS: opt.olderName('MAILFRONT_SMTPD_LOGIN_WINDOW_S', 1),
  callsPerMin: opt.whole(6000, 'Calls per principal and minute, per instance, in memory (0: off)'),
  formPostsPerAddress: opt.whole(
    20,
    'Posts to `/f/<key>` forms per client address in the form window (0: off)',
  ),
  formPostsPerForm: opt.whole(200, 'Posts to one form from all addresses in the form window (0: off)'),
  formWindowS: opt.whole(600, 'The window of the form-post limits, seconds', 1),
  dnsCheck: opt.oneOf(
    ['off', 'dns'],
    'off',
    'Profile verification: off (every record valid) or dns (looked up with node:dns)',
  ),
  dnsTarget: z
    .string()
    .regex(HOST, 'must be a host name')
    .default('smtpd.mailfront.localhost')
    .describe('Where link and bounce domains CNAME to; the SPF record includes _spf.<it>'),
  trackingBaseUrl: opt.baseUrl(
    "Base of tracking and form URLs instead of https://<the profile's link domain>",
  ),
})
export type SmtpdOptionValues = z.output<typeof smtpdOptions>

export function sendingOptionsOf(o: SmtpdOptionValues, resolver?: Resolver): SendingOptions {
  return {
    dnsCheck: o.dnsCheck,
    dnsTarget: o.dnsTarget,
    trackingBaseUrl: o.trackingBaseUrl ?? null,
    formLimits: { perAddress: o.formPostsPerAddress, perForm: o.formPostsPerForm, windowS: o.formWindowS },
    ...(resolver ? { resolver } : {}),
  }
}
