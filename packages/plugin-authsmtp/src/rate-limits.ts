import { defineRateLimit } from '@mailfront/core'
import type { AuthsmtpOptions } from './options.ts'

/** The seed's rule: at most one API request per user in `rateWindowS` (200 + the XML error beyond). */
export const apiCalls = defineRateLimit<AuthsmtpOptions>({
  name: 'api-calls',
  counts: 'API requests per user id',
  option: 'rateWindowS',
  window: (o) => (o.rateWindowS > 0 ? { windowMs: o.rateWindowS * 1000, max: 1 } : null),
})

export const rateLimits = [apiCalls]
