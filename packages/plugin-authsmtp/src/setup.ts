import { loginLimitsOf, type PluginContext, passwordAuth } from '@mailfront/core'
import { errors } from './errors.ts'
import type { AuthsmtpOptions } from './options.ts'

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
