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
