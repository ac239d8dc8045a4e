import {
  CredentialCache,
  LoginThrottle,
  loginLimitsOf,
  loginThrottleOptions,
  opt,
  type PluginContext,
  z,
} from '@mailfront/core'

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

/** What the API's routes share: the failed-login throttle and the API credential cache. */
export function authsmtpSetup(ctx: PluginContext<AuthsmtpOptions>) {
  return {
    cache: new CredentialCache({ secret: `${ctx.secret}:authsmtp`, clock: ctx.clock }),
    throttle: new LoginThrottle(ctx.rateLimits, {
      scope: 'authsmtp',
      limits: loginLimitsOf(ctx.options),
      clock: ctx.clock,
      onRefused: () => ctx.events.rateLimited('authsmtp'),
    }),
  }
}
export type AuthsmtpState = ReturnType<typeof authsmtpSetup>
export type AuthsmtpContext = PluginContext<AuthsmtpOptions, AuthsmtpState>
