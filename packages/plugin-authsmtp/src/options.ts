import {
  loginLimitsOf,
  loginThrottleOptions,
  opt,
  type PluginContext,
  passwordAuth,
  z,
} from '@mailfront/core'
import { errors } from './errors.ts'

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

/** What the API's routes share: the password check (credential cache, failed-login throttle). */
export function authsmtpSetup(ctx: PluginContext<AuthsmtpOptions>) {
  return {
    auth: passwordAuth(ctx, {
      plugin: 'authsmtp',
      limits: loginLimitsOf(ctx.options),
      denied: () => errors.UNAUTHORIZED(),
      // 200 + the XML error, before any credential is checked.
      refused: (s) => errors.LOGIN_THROTTLED({ headers: { 'Retry-After': String(s) } }),
    }),
  }
}
export type AuthsmtpState = ReturnType<typeof authsmtpSetup>
export type AuthsmtpContext = PluginContext<AuthsmtpOptions, AuthsmtpState>
