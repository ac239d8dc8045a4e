import { loginThrottleOptions, opt, z } from '@mailfront/core'

/**
 * `MAILFRONT_EXAMPLE_<KEY>` by camelCase key (`maxDestinations` is `MAILFRONT_EXAMPLE_MAX_DESTINATIONS`).
 * Each `.describe()` is the option's line in `mailfront --help`; a bad value stops the start.
 */
export const exampleOptions = z.object({
  maxDestinations: opt.whole(10, 'Destinations one alias may have', 1),
  challenge: opt.flag(true, 'Send WWW-Authenticate with a 401 (false: a bare 401)'),
  ...loginThrottleOptions,
})
export type ExampleOptions = z.output<typeof exampleOptions>
