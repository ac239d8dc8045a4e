import {
  type AdminCredentialRow,
  adminCredential,
  adminCredentialModel,
  type ModelSchema,
  type Row,
} from '@mailfront/core'

// Model names are `<plugin id>_<name>`: the composition refuses anything else.
export const ALIAS = 'example_alias'
export const ADMIN = 'example_admin'
/** The admin row's natural key: there is one admin credential. */
export const ADMIN_NAME = 'admin'

export const models = {
  [ALIAS]: {
    fields: {
      address: { type: 'string', unique: true },
      domain: { type: 'string', index: true },
      destinations: { type: 'json' },
      comment: { type: 'string', default: '' },
      created_at: { type: 'timestamp' },
      updated_at: { type: 'timestamp' },
    },
  },
  // Read on every request: a server with the row cache reuses it up to 1 s.
  [ADMIN]: adminCredentialModel({ cacheMs: 1000 }),
} satisfies ModelSchema

export type AliasRow = Row & {
  address: string
  domain: string
  destinations: string[]
  comment: string
  created_at: number
  updated_at: number
}
export type AdminRow = AdminCredentialRow
/** The admin credential: its fixtures section, `example admin set`, the row auth.ts reads. */
export const admin = adminCredential({ model: ADMIN, name: ADMIN_NAME })

/** An alias as the API shows it. */
export function aliasWire(r: AliasRow) {
  return {
    address: r.address,
    destinations: r.destinations,
    comment: r.comment,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }
}
export type AliasWire = ReturnType<typeof aliasWire>
