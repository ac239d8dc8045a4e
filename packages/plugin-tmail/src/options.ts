import { loginThrottleOptions, opt, z } from '@mailfront/core'

export const QUOTA = /^\d+[KMGkmg]?$/

/** `MAILFRONT_TMAIL_<KEY>` by camelCase key; a bad value stops the start with a line naming it. */
export const tmailOptions = z
  .object({
    adminLogin: z
      .string()
      .regex(/^[^:]+$/, 'must be non-empty and contain no ":"')
      .optional()
      .describe('Admin login (with ADMIN_PASSWORD); unset: the stored credential (fixtures, CLI)'),
    adminPassword: opt.text('Admin password (with ADMIN_LOGIN)'),
    authAttemptsPerMin: opt.removed(
      '(it counted successful checks too): set MAILFRONT_TMAIL_LOGIN_FAILURES and MAILFRONT_TMAIL_LOGIN_WINDOW_S instead',
    ),
    defaultQuota: z
      .string()
      .regex(QUOTA, 'must be bytes or a number with K, M or G')
      .default('200M')
      .describe('Quota of a mailbox created without one: bytes or a number with K, M or G'),
    homeBase: z
      .string()
      .transform((v) => v.replace(/\/+$/, ''))
      .refine((v) => v.startsWith('/'), 'must be an absolute path')
      .default('/home/tmail/mailboxes')
      .describe("Base of a mailbox user's Home (an absolute path)"),
    queueIntervalS: opt.whole(5, 'Seconds between runs of the queue processor (0: off)'),
    ...loginThrottleOptions,
  })
  .superRefine((o, c) => {
    if ((o.adminLogin === undefined) !== (o.adminPassword === undefined))
      c.addIssue({
        code: 'custom',
        message: 'MAILFRONT_TMAIL_ADMIN_LOGIN and MAILFRONT_TMAIL_ADMIN_PASSWORD must be set together',
      })
  })
export type TmailOptions = z.output<typeof tmailOptions>
