// Capability names and the order the live API answers them in.

export const DOMAIN_CAPABILITIES = [
  'MAIL_SPAMPROTECTION',
  'MAIL_BLACKLIST',
  'MAIL_BACKUPRECOVER',
  'MAIL_PASSWORDRESET_SMS',
] as const
export const MAIL_CAPABILITIES = [...DOMAIN_CAPABILITIES, 'MAIL_OTP', 'BMBO_VIDEOCHAT'] as const
/** The order the live API lists capabilities in (`possible_capabilities` of the Python client's live tests). */
export const CAPABILITY_ORDER = [
  'MAIL_BLACKLIST',
  'MAIL_SPAMPROTECTION',
  'MAIL_PASSWORDRESET_SMS',
  'MAIL_BACKUPRECOVER',
  'MAIL_OTP',
  'BMBO_VIDEOCHAT',
] as const
/** What a mailbox may be given, as the live API answers it. */
export const POSSIBLE_CAPABILITIES = CAPABILITY_ORDER.slice(0, 4)
/** Capabilities deduplicated, in the live API's order. */
export const orderedCapabilities = (caps: readonly string[]): string[] =>
  [...new Set(caps)].sort(
    (a, b) => CAPABILITY_ORDER.indexOf(a as never) - CAPABILITY_ORDER.indexOf(b as never),
  )
