import {
  type MessageSummary,
  type QueueEntry,
  type RecipientStatus,
  randomHex,
  type StorageAdapter,
  type SubmitInput,
} from '@mailfront/core'
import { summaryHeaders } from './headers.ts'
import { BODY, type EntryRow, MESSAGE, type MessageRow, PENDING, QUEUE, SEARCH } from './models.ts'
import { searchText } from './search.ts'

export const toStatus = (e: EntryRow): RecipientStatus => ({
  entryId: Number(e.id),
  recipient: e.rcpt,
  state: e.state,
  attempts: e.attempts,
  ...(PENDING.includes(e.state) ? { nextAttemptAt: e.next_attempt_at } : {}),
  ...(e.last_response ? { lastResponse: e.last_response } : {}),
  updatedAt: e.updated_at,
})

export const toEntry = (e: EntryRow): QueueEntry => ({
  ...toStatus(e),
  nextAttemptAt: e.next_attempt_at,
  message: e.message,
  ...(e.message_id ? { messageId: e.message_id } : {}),
  from: e.mail_from,
  plugin: e.plugin,
  ...(e.principal ? { principal: e.principal } : {}),
  createdAt: e.created_at,
})

export function toSummary(m: MessageRow, entries: EntryRow[]): MessageSummary {
  return {
    id: m.id,
    ...(m.message_id ? { messageId: m.message_id } : {}),
    envelope: { from: m.mail_from, to: m.rcpt_to },
    ...(m.subject !== null ? { subject: m.subject } : {}),
    size: m.size,
    plugin: m.plugin,
    ...(m.principal ? { principal: m.principal } : {}),
    via: m.via as MessageSummary['via'],
    ...(m.client_address ? { clientAddress: m.client_address } : {}),
    receivedAt: m.received_at,
    recipients: entries.map(toStatus),
    ...(m.released_at ? { released: { at: m.released_at, to: m.released_to ?? [] } } : {}),
  }
}

/**
 * Insert one message, its bytes and one entry per recipient (inside the caller's transaction).
 * `hosted` names, by recipient index, the plugin hosting that recipient; `search` is the message's
 * search text when the caller computed it before its transaction (mailparser is not quick).
 */
export async function insertMessage(
  tx: StorageAdapter,
  input: SubmitInput,
  now: number,
  hosted: ReadonlyMap<number, string> = new Map(),
  search?: string,
) {
  const id = randomHex(20)
  const h = await summaryHeaders(input.raw)
  const text = search ?? (await searchText(input.raw, input.envelope))
  const to = input.envelope.to
  const message = await tx.create<MessageRow>({
    model: MESSAGE,
    data: {
      id,
      message_id: h.messageId ?? null,
      mail_from: input.envelope.from,
      rcpt_to: to,
      rcpt_text: to.join(',').toLowerCase(),
      subject: h.subject ?? null,
      size: input.raw.byteLength,
      plugin: input.plugin,
      principal: input.principal ?? null,
      via: input.via,
      client_address: input.clientAddress ?? null,
      received_at: now,
    },
  })
  await tx.create({
    model: BODY,
    data: {
      message: id,
      data: Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength).toString('base64'),
    },
  })
  await tx.create({ model: SEARCH, data: { message: id, text, received_at: now } })
  const entries: EntryRow[] = []
  for (const [i, rcpt] of to.entries())
    entries.push(
      await tx.create<EntryRow>({
        model: QUEUE,
        data: {
          message: id,
          message_id: h.messageId ?? null,
          plugin: input.plugin,
          principal: input.principal ?? null,
          mail_from: input.envelope.from,
          rcpt,
          hosted_by: hosted.get(i) ?? null,
          state: 'queued',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          updated_at: now,
        },
      }),
    )
  return { message, entries }
}
