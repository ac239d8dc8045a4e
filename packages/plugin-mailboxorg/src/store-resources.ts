import type { ModelSchema, Row } from '@mailfront/core'

// The models of the second round: invoices, groups, video rooms, additional mail accounts, backup
// restore requests, one-time tokens (password reset, registration) and the SMS outbox.

export const INVOICE = 'mailboxorg_invoice'
export const GROUP = 'mailboxorg_group'
export const VIDEOCHAT = 'mailboxorg_videochat'
export const ADDITIONAL_ACCOUNT = 'mailboxorg_additional_account'
export const BACKUP_RESTORE = 'mailboxorg_backup_restore'
export const TOKEN = 'mailboxorg_token'
export const SMS = 'mailboxorg_sms'

export const resourceModels: ModelSchema = {
  [INVOICE]: {
    fields: {
      invoice_id: { type: 'string', unique: true },
      account: { type: 'string', index: true },
      date: { type: 'string' },
      amount: { type: 'json' },
      payment_type: { type: 'string', default: 'invoice' },
      status: { type: 'string', default: 'open' },
      // Files given by an operator ({pdf: base64, csv, xml}); missing ones are generated on request.
      files: { type: 'json', default: () => ({}) },
      created_at: { type: 'timestamp' },
    },
  },
  [GROUP]: {
    id: 'serial',
    fields: {
      account: { type: 'string', index: true },
      name: { type: 'string' },
      display_name: { type: 'string' },
      members: { type: 'json', default: () => [] },
      created_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['account', 'name'], unique: true }],
  },
  [VIDEOCHAT]: {
    id: 'serial',
    fields: {
      mail: { type: 'string', index: true },
      room_name: { type: 'string' },
      room_memo: { type: 'string', default: '' },
      room_password_hash: { type: 'string', optional: true },
      room_admin_password_hash: { type: 'string', optional: true },
      created_at: { type: 'timestamp' },
    },
  },
  [ADDITIONAL_ACCOUNT]: {
    id: 'serial',
    fields: {
      parent_mail: { type: 'string', index: true },
      account_mail: { type: 'string' },
      // Only a hash: mailfront never connects to the other server, so it never needs the password.
      password_hash: { type: 'string' },
      settings: { type: 'json', default: () => ({}) },
      created_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['parent_mail', 'account_mail'], unique: true }],
  },
  [BACKUP_RESTORE]: {
    id: 'serial',
    fields: {
      mail: { type: 'string', index: true },
      backup_id: { type: 'integer' },
      backup_time: { type: 'integer' },
      filter: { type: 'string' },
      requested_by: { type: 'string' },
      status: { type: 'string', default: 'queued' },
      created_at: { type: 'timestamp' },
    },
  },
  [TOKEN]: {
    fields: {
      // SHA-256 of the token: the token itself is never stored.
      token_hash: { type: 'string', unique: true },
      kind: { type: 'string', index: true },
      /** The mailbox (password reset) or the domain (registration) the token is for. */
      subject: { type: 'string', index: true },
      plan: { type: 'string', optional: true },
      attempts: { type: 'integer', default: 0 },
      expires_at: { type: 'timestamp', optional: true },
      created_at: { type: 'timestamp' },
    },
  },
  [SMS]: {
    id: 'serial',
    fields: {
      to: { type: 'string', index: true },
      text: { type: 'string' },
      created_at: { type: 'timestamp' },
    },
  },
}

export interface InvoiceRow extends Row {
  invoice_id: string
  account: string
  date: string
  amount: number
  payment_type: string
  status: string
  files: { pdf?: string; csv?: string; xml?: string }
  created_at: number
}

export interface GroupRow extends Row {
  id: number
  account: string
  name: string
  display_name: string
  members: string[]
  created_at: number
}

export interface VideochatRow extends Row {
  id: number
  mail: string
  room_name: string
  room_memo: string
  room_password_hash: string | null
  room_admin_password_hash: string | null
  created_at: number
}

export interface AdditionalAccountRow extends Row {
  id: number
  parent_mail: string
  account_mail: string
  password_hash: string
  settings: Record<string, unknown>
  created_at: number
}

export interface BackupRestoreRow extends Row {
  id: number
  mail: string
  backup_id: number
  backup_time: number
  filter: string
  requested_by: string
  status: string
  created_at: number
}

export interface TokenRow extends Row {
  token_hash: string
  kind: 'reset' | 'register'
  subject: string
  plan: string | null
  attempts: number
  expires_at: number | null
  created_at: number
}

export interface SmsRow extends Row {
  id: number
  to: string
  text: string
  created_at: number
}
