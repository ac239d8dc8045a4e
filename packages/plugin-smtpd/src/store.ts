import type { ModelSchema, Row } from '@mailfront/core'
import type { Role } from './roles.ts'
import { sendingModels } from './sending/models.ts'

export const ACCOUNT = 'smtpd_account'
export const USER = 'smtpd_user'
export const API_KEY = 'smtpd_api_key'
export const REFRESH = 'smtpd_refresh_token'

export const models: ModelSchema = {
  [ACCOUNT]: {
    // The caller's row, read on every request: reused for up to 1 s per instance (withRowCache).
    cacheMs: 1000,
    fields: {
      account_name: { type: 'string', unique: true },
      plan_id: { type: 'string' },
      is_verified: { type: 'boolean', default: false },
      billing_contact_email_address: { type: 'string', default: '' },
      country: { type: 'string', default: '' },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
  },
  [USER]: {
    // The caller's row, read on every request: reused for up to 1 s per instance (withRowCache).
    cacheMs: 1000,
    fields: {
      account_id: { type: 'string', index: true },
      email_address: { type: 'string', unique: true },
      password_hash: { type: 'string' },
      first_name: { type: 'string', default: '' },
      surname: { type: 'string', default: '' },
      role: { type: 'string' },
      is_verified: { type: 'boolean', default: false },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
  },
  [API_KEY]: {
    // The caller's row, read on every request: reused for up to 1 s per instance (withRowCache).
    cacheMs: 1000,
    fields: {
      account_id: { type: 'string', index: true },
      created_by: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string', unique: true },
      // SHA-256 of the secret: the secret is shown once and never stored.
      secret_hash: { type: 'string', unique: true },
      role: { type: 'string' },
      is_active: { type: 'boolean', default: true },
      last_accessed_at: { type: 'timestamp', optional: true },
      created_at: { type: 'timestamp' },
      modified_at: { type: 'timestamp' },
    },
  },
  // A grant belongs to a user or an API key and lives 30 days at most. One live grant per principal
  // (unique): a new grant replaces the row, so concurrent grants on several instances leave one.
  [REFRESH]: {
    fields: {
      token_hash: { type: 'string', unique: true },
      principal_kind: { type: 'string' },
      principal_id: { type: 'string', unique: true },
      created_at: { type: 'timestamp' },
      expires_at: { type: 'timestamp' },
    },
  },
  ...sendingModels,
}

export interface AccountRow extends Row {
  id: string
  account_name: string
  plan_id: string
  is_verified: boolean
  billing_contact_email_address: string
  country: string
  created_at: number
  modified_at: number
}

export interface UserRow extends Row {
  id: string
  account_id: string
  email_address: string
  password_hash: string
  first_name: string
  surname: string
  role: Role
  is_verified: boolean
  created_at: number
  modified_at: number
}

export interface ApiKeyRow extends Row {
  id: string
  account_id: string
  created_by: string
  name: string
  key: string
  secret_hash: string
  role: Role
  is_active: boolean
  last_accessed_at: number | null
  created_at: number
  modified_at: number
}

export interface RefreshRow extends Row {
  id: string
  token_hash: string
  principal_kind: 'user' | 'key'
  principal_id: string
  created_at: number
  expires_at: number
}

const s = (ms: number | null) => (ms === null ? 0 : Math.floor(ms / 1000))

export const accountView = (a: AccountRow, counts: { users: number; keys: number }) => ({
  id: a.id,
  account_name: a.account_name,
  user_count: counts.users,
  api_key_count: counts.keys,
  billing_contact_email_address: a.billing_contact_email_address,
  plan_id: a.plan_id,
  is_verified: a.is_verified,
  created_at_utc: s(a.created_at),
  modified_at_utc: s(a.modified_at),
})

/** `/oauth/me`: times in milliseconds, as the seed's example shows. */
export const meView = (u: UserRow) => ({
  id: u.id,
  account_id: u.account_id,
  email_address: u.email_address,
  first_name: u.first_name,
  surname: u.surname,
  gravatar_url: '',
  is_owner: u.role === 'owner',
  is_verified: u.is_verified,
  created_at_utc: u.created_at,
  modified_at_utc: u.modified_at,
})

export const userView = (u: UserRow) => ({
  id: u.id,
  account_id: u.account_id,
  email_address: u.email_address,
  first_name: u.first_name,
  surname: u.surname,
  role: u.role,
  is_owner: u.role === 'owner',
  is_verified: u.is_verified,
  created_at_utc: s(u.created_at),
  modified_at_utc: s(u.modified_at),
})

export const apiKeyView = (k: ApiKeyRow, active: boolean) => ({
  id: k.id,
  account_id: k.account_id,
  name: k.name,
  key: k.key,
  role: k.role,
  is_active: active,
  last_accessed_at_utc: s(k.last_accessed_at),
  created_at_utc: s(k.created_at),
  modified_at_utc: s(k.modified_at),
})
