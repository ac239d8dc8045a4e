import { describe, expect, it } from 'vitest'
import { queueRowJson } from './queue-list.ts'
import { type MessageRow, messageWire } from './store.ts'
import { goJson } from './wire.ts'

const row = (o: Partial<MessageRow>): MessageRow =>
  ({
    id: 7,
    uuid: 'a'.repeat(40),
    mail_from: 'sender@tmail.io',
    auth_user: '',
    rcpt_to: 'rcpt@example.com',
    message_id: `${'a'.repeat(40)}@tmail.io`,
    host: 'example.com',
    last_update: '2026-06-10T19:40:30.123+02:00',
    added_at: '2026-06-10T19:40:30+02:00',
    next_delivery_scheduled_at: '2026-06-10T19:45:30.5+02:00',
    status: 2,
    delivery_failed_count: 0,
    entry_id: null,
    ...o,
  }) as MessageRow

const values = (m: MessageRow) => [
  m.id,
  m.uuid,
  m.mail_from,
  m.auth_user,
  m.rcpt_to,
  m.message_id,
  m.host,
  m.last_update,
  m.added_at,
  m.next_delivery_scheduled_at,
  m.status,
  m.delivery_failed_count,
  m.entry_id,
]

describe('queueRowJson (GET /queue written straight from the stored values)', () => {
  it('writes the bytes goJson(messageWire(row)) writes', () => {
    for (const m of [
      row({}),
      row({ id: 9_007_199_254_740_991, status: 3, delivery_failed_count: 12 }),
      // Go's escapes (<, >, &, U+2028, U+2029), JSON's (quote, backslash, controls), non-ASCII.
      row({
        mail_from: '"x" <a&b@tmail.io>',
        auth_user: 'ünï\u2028\u2029',
        rcpt_to: 'back\\slash\ttab\u0001',
      }),
      row({ host: '', message_id: '😀@example.com' }),
    ])
      expect(queueRowJson(values(m))).toBe(goJson(messageWire(m)))
  })
})
