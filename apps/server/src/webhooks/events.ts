import type { DeliveryEvent, MessageSummary } from '@mailfront/core'
import type { MailPipeline } from '@mailfront/mail'
import type { WebhookDispatcher, WebhookEventType } from './dispatcher.ts'

/** The pipeline's events that become webhooks (a discard by an admin is not one). */
const FROM_PIPELINE: Partial<Record<DeliveryEvent['type'], WebhookEventType>> = {
  submitted: 'message.received',
  delivered: 'message.delivered',
  deferred: 'message.deferred',
  bounced: 'message.bounced',
}

/** The message an event is about, as a receiver wants it (what the admin API's list shows). */
export function messageData(id: string, m: MessageSummary | null, plugin?: string): Record<string, unknown> {
  if (!m) return { id, ...(plugin ? { plugin } : {}) } // deleted before the event was read
  return {
    id: m.id,
    ...(m.messageId ? { messageId: m.messageId } : {}),
    from: m.envelope.from,
    to: m.envelope.to,
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    plugin: m.plugin,
    ...(m.principal ? { principal: m.principal } : {}),
    via: m.via,
    receivedAt: new Date(m.receivedAt).toISOString(),
  }
}

/**
 * Each of the pipeline's changes made on this instance becomes one webhook here (the pipeline calls
 * its listeners on the instance that made the change, so with several instances each event is sent
 * once, by that instance). The message's details are read after the change, off the pipeline's path, and only when a webhook
 * is configured.
 */
export function forwardMailEvents(mail: MailPipeline, dispatcher: WebhookDispatcher): () => void {
  return mail.onEvent((e) => {
    const type = FROM_PIPELINE[e.type]
    if (!type) return
    dispatcher.emit(type, e.at, async () => ({
      message: messageData(e.messageId, await mail.get(e.messageId), e.plugin),
      ...(e.recipient ? { recipient: e.recipient } : {}),
      ...(e.response ? { response: e.response } : {}),
    }))
  })
}
