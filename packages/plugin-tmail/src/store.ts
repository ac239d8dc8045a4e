import { adminCredential, adminCredentialModel, type ModelSchema, type Row } from '@mailfront/core'
import type { MessageWire, UserWire } from './wire.ts'

export const USER = 'tmail_user'
export const QUEUE = 'tmail_queue'
export const ADMIN = 'tmail_admin'

export const models: ModelSchema = {
  [USER]: {
    id: 'serial',
    fields: {
      login: { type: 'string', unique: true },
      passwd: { type: 'string' },
      dove_passwd: { type: 'string' },
      active: { type: 'string', default: 'Y' },
      auth_relay: { type: 'boolean', default: false },
      have_mailbox: { type: 'boolean', default: false },
      is_catchall: { type: 'boolean', default: false },
      mailbox_quota: { type: 'string', default: '' },
      home: { type: 'string', default: '' },
      // Set only on a catch-all: the unique index makes "one catch-all per domain" hold under races.
      catchall_domain: { type: 'string', optional: true, unique: true },
    },
  },
  [QUEUE]: {
    id: 'serial',
    fields: {
      uuid: { type: 'string', index: true },
      mail_from: { type: 'string' },
      auth_user: { type: 'string', default: '' },
      rcpt_to: { type: 'string' },
      message_id: { type: 'string', default: '' },
      host: { type: 'string' },
      // Kept as the RFC 3339 text tmail returns, so fixtures round-trip byte for byte.
      last_update: { type: 'string' },
      added_at: { type: 'string' },
      next_delivery_scheduled_at: { type: 'string' },
      status: { type: 'integer', default: 2, index: true },
      delivery_failed_count: { type: 'integer', default: 0 },
      data: { type: 'string', optional: true },
      // Set for mail submitted by a relay user: the mail pipeline's queue entry this row shows.
      // Its live state (status, attempts, next attempt) is read from the pipeline, never copied.
      entry_id: { type: 'integer', optional: true, unique: true },
    },
  },
  [ADMIN]: adminCredentialModel(),
}

export interface UserRow extends Row {
  id: number
  login: string
  passwd: string
  dove_passwd: string
  active: string
  auth_relay: boolean
  have_mailbox: boolean
  is_catchall: boolean
  mailbox_quota: string
  home: string
  catchall_domain: string | null
}

export interface MessageRow extends Row {
  id: number
  uuid: string
  mail_from: string
  auth_user: string
  rcpt_to: string
  message_id: string
  host: string
  last_update: string
  added_at: string
  next_delivery_scheduled_at: string
  status: number
  delivery_failed_count: number
  data: string | null
  entry_id: number | null
}

/** The REST admin credential (fixtures `admin`, `tmail admin set`), one row named `rest`. */
export const admin = adminCredential({ model: ADMIN, name: 'rest' })

/** Status values of tmail's queue. */
export const STATUS = { IN_PROGRESS: 0, DISCARD: 1, SCHEDULED: 2, BOUNCE: 3 } as const

// Literal objects in wire order: V8 keeps insertion order, so JSON.stringify writes the keys as listed.
export const userWire = (u: UserRow): UserWire => ({
  Id: Number(u.id),
  Login: u.login,
  Passwd: u.passwd,
  DovePasswd: u.dove_passwd,
  Active: u.active,
  AuthRelay: u.auth_relay,
  HaveMailbox: u.have_mailbox,
  IsCatchall: u.is_catchall,
  MailboxQuota: u.mailbox_quota,
  Home: u.home,
})

export const messageWire = (m: MessageRow): MessageWire => ({
  Id: Number(m.id),
  Uuid: m.uuid,
  MailFrom: m.mail_from,
  AuthUser: m.auth_user,
  RcptTo: m.rcpt_to,
  MessageId: m.message_id,
  Host: m.host,
  LastUpdate: m.last_update,
  AddedAt: m.added_at,
  NextDeliveryScheduledAt: m.next_delivery_scheduled_at,
  Status: m.status,
  DeliveryFailedCount: m.delivery_failed_count,
})
