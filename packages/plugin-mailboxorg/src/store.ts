import type { ModelSchema, Row } from '@mailfront/core'
import { deliveryModels } from './store-delivery.ts'
import { resourceModels } from './store-resources.ts'

export const OPERATOR = 'mailboxorg_operator'
export const ACCOUNT = 'mailboxorg_account'
export const DOMAIN = 'mailboxorg_domain'
export const MAIL = 'mailboxorg_mail'
export const SESSION = 'mailboxorg_session'
export const APP_PASSWORD = 'mailboxorg_app_password'
export const MAILING_LIST = 'mailboxorg_mailing_list'

export const LEVELS = ['admin', 'reseller', 'account', 'domain', 'mail'] as const
export type Level = (typeof LEVELS)[number]

export const models: ModelSchema = {
  // Admin and reseller logins (accounts, domains and mailboxes log in with their own passwords).
  [OPERATOR]: {
    fields: {
      name: { type: 'string', unique: true },
      password_hash: { type: 'string' },
      level: { type: 'string' },
      memo: { type: 'string', default: '' },
    },
  },
  [ACCOUNT]: {
    fields: {
      account: { type: 'string', unique: true },
      password_hash: { type: 'string' },
      plan: { type: 'string' },
      reseller: { type: 'string', optional: true, index: true },
      status: { type: 'string', default: 'aktiv' },
      memo: { type: 'string', default: '' },
      attrs: { type: 'json', default: () => ({}) },
      created_at: { type: 'timestamp' },
    },
  },
  [DOMAIN]: {
    fields: {
      domain: { type: 'string', unique: true },
      account: { type: 'string', index: true },
      password_hash: { type: 'string', optional: true },
      context_id: { type: 'string', default: '' },
      memo: { type: 'string', default: '' },
      capabilities: { type: 'json', default: () => [] },
      created_at: { type: 'timestamp' },
    },
  },
  [MAIL]: {
    fields: {
      mail: { type: 'string', unique: true },
      domain: { type: 'string', index: true },
      account: { type: 'string', index: true },
      password_hash: { type: 'string', optional: true },
      plan: { type: 'string' },
      first_name: { type: 'string', default: '' },
      last_name: { type: 'string', default: '' },
      active: { type: 'boolean', default: true },
      capabilities: { type: 'json', default: () => [] },
      attrs: { type: 'json', default: () => ({}) },
      // Blacklist, spam protection and vacation notice: sub-resources, not part of the mail object.
      extras: { type: 'json', optional: true },
      created_at: { type: 'timestamp' },
    },
  },
  [APP_PASSWORD]: {
    id: 'serial',
    fields: {
      mail: { type: 'string', index: true },
      memo: { type: 'string' },
      password_hash: { type: 'string' },
      imap_allowed: { type: 'boolean', default: true },
      smtp_allowed: { type: 'boolean', default: true },
      created_at: { type: 'timestamp' },
    },
  },
  [MAILING_LIST]: {
    fields: {
      name: { type: 'string', unique: true },
      account: { type: 'string', index: true },
      password_hash: { type: 'string' },
      adminmail: { type: 'string', default: '' },
      created_at: { type: 'timestamp' },
    },
  },
  [SESSION]: {
    // The caller's row, read on every request: reused for up to 1 s per instance (withRowCache).
    cacheMs: 1000,
    fields: {
      // SHA-256 of the Auth-ID: the Auth-ID itself is never stored.
      token_hash: { type: 'string', unique: true },
      principal: { type: 'string', index: true },
      level: { type: 'string' },
      expires_at: { type: 'timestamp', index: true },
      created_at: { type: 'timestamp' },
    },
  },
  ...resourceModels,
  ...deliveryModels,
}

export interface OperatorRow extends Row {
  name: string
  password_hash: string
  level: 'admin' | 'reseller'
  memo: string
}

export interface AccountRow extends Row {
  account: string
  password_hash: string
  plan: string
  reseller: string | null
  status: string
  memo: string
  attrs: Record<string, unknown>
  created_at: number
}

export interface DomainRow extends Row {
  domain: string
  account: string
  password_hash: string | null
  context_id: string
  memo: string
  capabilities: string[]
  created_at: number
}

export interface MailRow extends Row {
  mail: string
  domain: string
  account: string
  password_hash: string | null
  plan: string
  first_name: string
  last_name: string
  active: boolean
  capabilities: string[]
  attrs: Record<string, unknown>
  extras: MailExtras | null
  created_at: number
}

export interface MailExtras {
  blacklist?: string[]
  spamprotect?: Record<string, unknown>
  vacation?: Record<string, unknown>
  /** Backups a fixture gave the mailbox (epoch ms, newest first): they replace the daily schedule. */
  backups?: number[]
}

export interface AppPasswordRow extends Row {
  id: number
  mail: string
  memo: string
  password_hash: string
  imap_allowed: boolean
  smtp_allowed: boolean
  created_at: number
}

export interface MailingListRow extends Row {
  name: string
  account: string
  password_hash: string
  adminmail: string
  created_at: number
}

export interface SessionRow extends Row {
  token_hash: string
  principal: string
  level: Level
  expires_at: number
  created_at: number
}
