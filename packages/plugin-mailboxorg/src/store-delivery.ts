import type { ModelSchema, Row } from '@mailfront/core'

/** Who a mailbox's vacation notice last answered, and when: at most one notice per sender per period. */
export const VACATION_REPLY = 'mailboxorg_vacation_reply'

export const deliveryModels: ModelSchema = {
  [VACATION_REPLY]: {
    id: 'serial',
    fields: {
      mail: { type: 'string' },
      sender: { type: 'string' },
      // The vacation (its start and end dates) the notice belonged to: a new vacation answers anew.
      period: { type: 'string' },
      sent_at: { type: 'timestamp' },
    },
    indexes: [{ fields: ['mail', 'sender'], unique: true }],
  },
}

export interface VacationReplyRow extends Row {
  id: number
  mail: string
  sender: string
  period: string
  sent_at: number
}
