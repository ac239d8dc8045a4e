import { boundedPasswordHash, storedPasswordHash, z } from '@mailfront/core'

// What every mailbox.org fixtures section is made of.

/** A secret in clear or as a hash whose work factor is within the core's bounds. */
export const secret = z
  .string()
  .min(1)
  .superRefine(boundedPasswordHash)
  .describe('in clear (hashed on load) or a bcrypt / SHA-512 crypt hash (work factor within bounds)')

/** What the store keeps for a secret: a hash within bounds as given, a clear one hashed. */
export const hashed = async (s: string | undefined) => (s === undefined ? null : storedPasswordHash(s))

export const lower = (s: string) => s.trim().toLowerCase()

/** A section: a list of strict records, empty when left out. */
export const section = <S extends z.ZodRawShape>(shape: S) => z.array(z.object(shape).strict()).default([])

/**
 * A UTC time as fixtures write it: `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD` at `defaultTime`; epoch ms
 * after parsing. `utcStamp` writes it back.
 */
export const utcTime = (defaultTime: string) =>
  z
    .string()
    .regex(/^\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?$/, 'YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)')
    .transform((s, ctx) => {
      const ms = Date.parse(`${s.length === 10 ? `${s} ${defaultTime}` : s}Z`.replace(' ', 'T'))
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: `not a date: ${s}` })
        return z.NEVER
      }
      return ms
    })
export const utcStamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
