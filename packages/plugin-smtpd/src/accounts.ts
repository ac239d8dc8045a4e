import { randomUUID } from 'node:crypto'
import { hashPassword, type PluginContext, sha256Hex, UniqueViolationError } from '@mailfront/core'
import { errors } from './errors.ts'
import { newKeyPair } from './keys.ts'
import type { Role } from './roles.ts'
import { ACCOUNT, type AccountRow, API_KEY, type ApiKeyRow, USER, type UserRow } from './store.ts'

// Shared by the routes, the CLI and the fixtures.

export async function createAccount(
  ctx: PluginContext,
  a: {
    id?: string
    account_name: string
    plan_id: string
    is_verified?: boolean
    country?: string
    billing_contact_email_address?: string
    created_at?: number
  },
): Promise<AccountRow> {
  const now = ctx.clock.now()
  try {
    return await ctx.storage.create<AccountRow>({
      model: ACCOUNT,
      data: {
        id: a.id ?? randomUUID(),
        account_name: a.account_name,
        plan_id: a.plan_id,
        is_verified: a.is_verified ?? false,
        country: a.country ?? '',
        billing_contact_email_address: a.billing_contact_email_address ?? '',
        created_at: a.created_at ?? now,
        modified_at: a.created_at ?? now,
      },
    })
  } catch (e) {
    if (e instanceof UniqueViolationError) throw errors.ACCOUNT_NAME_TAKEN()
    throw e
  }
}

export async function createUser(
  ctx: PluginContext,
  u: {
    id?: string
    account_id: string
    email_address: string
    password: string
    first_name?: string
    surname?: string
    role: Role
    is_verified?: boolean
    created_at?: number
  },
): Promise<UserRow> {
  const now = ctx.clock.now()
  try {
    return await ctx.storage.create<UserRow>({
      model: USER,
      data: {
        id: u.id ?? randomUUID(),
        account_id: u.account_id,
        email_address: u.email_address.trim().toLowerCase(),
        password_hash: /^\$2[abxy]\$/.test(u.password) ? u.password : await hashPassword(u.password),
        first_name: u.first_name ?? '',
        surname: u.surname ?? '',
        role: u.role,
        is_verified: u.is_verified ?? false,
        created_at: u.created_at ?? now,
        modified_at: u.created_at ?? now,
      },
    })
  } catch (e) {
    if (e instanceof UniqueViolationError) throw errors.EMAIL_TAKEN()
    throw e
  }
}

/** A new API key; the secret is returned once and only its SHA-256 is stored. */
export async function createApiKey(
  ctx: PluginContext,
  k: { account_id: string; created_by: string; name: string; role: Role; key?: string; secret?: string },
): Promise<{ row: ApiKeyRow; secret: string }> {
  const pair = newKeyPair()
  const secret = k.secret ?? pair.secret
  const now = ctx.clock.now()
  const row = await ctx.storage.create<ApiKeyRow>({
    model: API_KEY,
    data: {
      account_id: k.account_id,
      created_by: k.created_by,
      name: k.name,
      key: k.key ?? pair.key,
      secret_hash: /^sha256:[0-9a-f]{64}$/.test(secret) ? secret.slice(7) : sha256Hex(secret),
      role: k.role,
      created_at: now,
      modified_at: now,
    },
  })
  return { row, secret }
}
