import { loginThrottleOptions, opt, z } from '@mailfront/core'

/** `MAILFRONT_AUTHSMTP_<KEY>` by camelCase key. */
export const authsmtpOptions = z.object({
  challenge: opt.flag(
    false,
    'Add `WWW-Authenticate: Basic realm="AuthSMTP API"` to 401s, for clients that wait for a challenge',
  ),
  rateWindowS: opt.whole(20, 'API requests: at most one per user in this many seconds (0: off)'),
  ...loginThrottleOptions,
})
export type AuthsmtpOptions = z.output<typeof authsmtpOptions>
