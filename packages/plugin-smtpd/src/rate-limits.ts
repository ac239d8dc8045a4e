import { defineRateLimit } from '@mailfront/core'
import type { SmtpdOptionValues } from './options.ts'

/** Calls per principal (API key, else user) and minute, per instance, in memory (429 42901 beyond). */
export const apiCalls = defineRateLimit<Pick<SmtpdOptionValues, 'callsPerMin'>>({
  name: 'api-calls',
  counts: 'calls per API key or user, per instance',
  option: 'callsPerMin',
  window: (o) => (o.callsPerMin ? { windowMs: 60_000, max: o.callsPerMin } : null),
})

type FormOptions = Pick<SmtpdOptionValues, 'formPostsPerAddress' | 'formPostsPerForm' | 'formWindowS'>

/** Anonymous posts to `/f/<key>` forms per client address, in MAILFRONT_SMTPD_FORM_WINDOW_S (sending/forms.ts). */
export const formPostsPerAddress = defineRateLimit<FormOptions>({
  name: 'form-posts-address',
  counts: 'form posts per client address',
  option: 'formPostsPerAddress',
  window: (o) =>
    o.formPostsPerAddress ? { windowMs: o.formWindowS * 1000, max: o.formPostsPerAddress } : null,
})

/** Posts to one form from all addresses, in the same window. */
export const formPostsPerForm = defineRateLimit<FormOptions>({
  name: 'form-posts-form',
  counts: 'posts to one form',
  option: 'formPostsPerForm',
  window: (o) => (o.formPostsPerForm ? { windowMs: o.formWindowS * 1000, max: o.formPostsPerForm } : null),
})

export const rateLimits = [apiCalls, formPostsPerAddress, formPostsPerForm]
