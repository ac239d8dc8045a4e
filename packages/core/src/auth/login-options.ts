import { opt, withOlderName } from '../options.ts'
import { DEFAULT_LOGIN_LIMITS, type LoginThrottleLimits } from './login-throttle.ts'

type LoginOptionValues = {
  loginFailures: number
  loginAddressFailures: number
  loginCeiling: number
  loginWindowS: number
}

const loginOptionDefaults: LoginOptionValues = {
  loginFailures: DEFAULT_LOGIN_LIMITS.perLoginAndAddress,
  loginAddressFailures: DEFAULT_LOGIN_LIMITS.perAddress,
  loginCeiling: DEFAULT_LOGIN_LIMITS.perLogin,
  loginWindowS: DEFAULT_LOGIN_LIMITS.windowMs / 1000,
}

/** The core login throttle's options, to spread into a plugin's schema (`loginFailures`, …). */
export const loginThrottleOptions = {
  loginFailures: opt.whole(
    loginOptionDefaults.loginFailures,
    'Failed logins per login and client address in the window before that pair is refused (0: off)',
  ),
  loginAddressFailures: opt.whole(
    loginOptionDefaults.loginAddressFailures,
    'Failed logins per client address, over all logins, in the window (0: off)',
  ),
  loginCeiling: opt.whole(
    loginOptionDefaults.loginCeiling,
    'Failed logins per login over all addresses before unknown addresses are refused (0: off)',
  ),
  loginWindowS: opt.whole(loginOptionDefaults.loginWindowS, 'Window the failures are counted in, seconds', 1),
}

/**
 * The throttle limits from options that spread `loginThrottleOptions`; `older` gives the values of a
 * plugin's older names (`opt.olderName`) by the option they name.
 */
export function loginLimitsOf(
  options: LoginOptionValues,
  older: Partial<LoginOptionValues> = {},
): LoginThrottleLimits {
  const o = { ...options }
  for (const [key, v] of Object.entries(older) as [keyof LoginOptionValues, number | undefined][])
    o[key] = withOlderName(o[key], loginOptionDefaults[key], v)
  return {
    ...DEFAULT_LOGIN_LIMITS,
    perLoginAndAddress: o.loginFailures,
    perAddress: o.loginAddressFailures,
    perLogin: o.loginCeiling,
    windowMs: o.loginWindowS * 1000,
  }
}
