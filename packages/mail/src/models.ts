import type { DeliveryState, ModelSchema, Row } from '@mailfront/core'

export const MESSAGE = 'mail_message'
export const BODY = 'mail_body'
export const QUEUE = 'mail_queue'
/** What `?q=` searches (search.ts), apart: lists never read it. */
export const SEARCH = 'mail_search'

/**
 * The pipeline's store: a message (envelope and summary), its raw bytes apart (lists never read
 * them), and one queue entry per recipient. Entries copy the few message fields a queue view shows,
 * so listing a million of them is one indexed read per batch, with no join.
 */
export const mailModels: ModelSchema = {
  [MESSAGE]: {
    fields: {
      message_id: { type: 'string', optional: true },
      mail_from: { type: 'string' },
      rcpt_to: { type: 'json' },
      // Lower-cased, comma-joined recipients: what the `to` filter searches.
      rcpt_text: { type: 'string' },
      subject: { type: 'string', optional: true },
      size: { type: 'integer' },
      plugin: { type: 'string', index: true },
      principal: { type: 'string', optional: true },
      via: { type: 'string' },
      client_address: { type: 'string', optional: true },
      received_at: { type: 'timestamp', index: true },
      // 'released' once POST …/release claimed it (never twice); null before.
      release_state: { type: 'string', optional: true },
      released_at: { type: 'timestamp', optional: true },
      released_to: { type: 'json', optional: true },
    },
  },
  [BODY]: {
    fields: {
      message: { type: 'string', unique: true },
      // Base64: every backend stores it as text, whatever bytes (even NUL) the message holds.
      data: { type: 'string' },
    },
  },
  [SEARCH]: {
    fields: {
      message: { type: 'string', unique: true },
      // Lower-cased at capture; rows captured before this table existed have none (never found by q).
      text: { type: 'string' },
      // The message's, so a search cut at its bound keeps the newest (null in rows from before it).
      received_at: { type: 'timestamp', optional: true, index: true },
    },
  },
  [QUEUE]: {
    id: 'serial',
    fields: {
      message: { type: 'string', index: true },
      message_id: { type: 'string', optional: true },
      plugin: { type: 'string' },
      principal: { type: 'string', optional: true },
      mail_from: { type: 'string' },
      rcpt: { type: 'string' },
      // The plugin hosting the recipient (its local delivery), else null: delivered by the mode.
      hosted_by: { type: 'string', optional: true },
      state: { type: 'string' },
      attempts: { type: 'integer', default: 0 },
      next_attempt_at: { type: 'timestamp' },
      // While delivering: when the claim lapses (a crashed worker's entries are taken again).
      lease_until: { type: 'timestamp', optional: true },
      last_response: { type: 'string', optional: true },
      created_at: { type: 'timestamp' },
      updated_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['state', 'next_attempt_at'] }, { fields: ['plugin', 'state'] }],
  },
}

export interface MessageRow extends Row {
  id: string
  message_id: string | null
  mail_from: string
  rcpt_to: string[]
  rcpt_text: string
  subject: string | null
  size: number
  plugin: string
  principal: string | null
  via: string
  client_address: string | null
  received_at: number
  release_state?: string | null
  released_at?: number | null
  released_to?: string[] | null
}

export interface EntryRow extends Row {
  id: number
  message: string
  message_id: string | null
  plugin: string
  principal: string | null
  mail_from: string
  rcpt: string
  hosted_by: string | null
  state: DeliveryState
  attempts: number
  next_attempt_at: number
  lease_until: number | null
  last_response: string | null
  created_at: number
  updated_at: number
}

/** States in which an entry still waits for delivery. */
export const PENDING: DeliveryState[] = ['queued', 'deferred']
/** States in which a message is still being delivered: waiting, or claimed by a worker now. */
export const IN_FLIGHT: DeliveryState[] = [...PENDING, 'delivering']
