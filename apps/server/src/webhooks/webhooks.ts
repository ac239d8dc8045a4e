import type { Clock, Logger, StorageAdapter } from '@mailfront/core'
import type { MailPipeline } from '@mailfront/mail'
import type { AdminEvents } from '../admin/events.ts'
import { DeliveryLog } from './delivery-log.ts'
import { type DispatcherOptions, WebhookDispatcher } from './dispatcher.ts'
import { forwardMailEvents, messageData } from './events.ts'
import { WebhookSettings } from './settings.ts'

/** Delivery attempts the log keeps (a ring). */
export const WEBHOOK_LOG_SIZE = 500

/** Outbound webhooks: where they go, the queue that sends them, the log of every attempt. */
export interface Webhooks {
  settings: WebhookSettings
  deliveries: DeliveryLog
  dispatcher: WebhookDispatcher
  /** An admin released a captured message (POST /_mailfront/messages/<id>/release answered 200). */
  released(
    id: string,
    r: { at: number; to: string[]; failed: { recipient: string; response: string }[] },
  ): void
  /** For a server: look for the deliveries an earlier run (or an instance that died) left, and keep looking. */
  start(): void
  /** Before a reset empties the store: the deliveries waiting are dropped (each logged), the log is cleared. */
  reset(): Promise<void>
  close(): Promise<void>
}

export function createWebhooks(d: {
  storage: StorageAdapter
  clock: Clock
  log: Logger
  mail: MailPipeline
  /** The admin change feed: each attempt is shown live (`webhook`); a move of the clock sends due retries at once. */
  events?: AdminEvents
  /** MAILFRONT_WEBHOOK_URL and MAILFRONT_WEBHOOK_SECRET. */
  env?: { url: string; secret: string }
  logSize?: number
  options?: Partial<Pick<DispatcherOptions, 'schedule' | 'timeoutMs' | 'maxQueued' | 'pollMs' | 'leaseMs'>>
}): Webhooks {
  const settings = new WebhookSettings(d.storage, d.env)
  const deliveries = new DeliveryLog(d.logSize ?? WEBHOOK_LOG_SIZE)
  const log = d.log.child ? d.log.child({ component: 'webhooks' }) : d.log
  const dispatcher = new WebhookDispatcher({
    settings,
    storage: d.storage,
    clock: d.clock,
    log,
    deliveries,
    ...d.options,
  })
  const unsubscribe = forwardMailEvents(d.mail, dispatcher)
  deliveries.subscribe((a) => d.events?.emit('webhook', a))
  d.events?.subscribe((e) => {
    if (e.type === 'clock') dispatcher.kick()
  })
  return {
    settings,
    deliveries,
    dispatcher,
    released(id, r) {
      dispatcher.emit('message.released', r.at, async () => ({
        message: messageData(id, await d.mail.get(id)),
        released: { at: new Date(r.at).toISOString(), to: r.to, failed: r.failed },
      }))
    },
    start() {
      dispatcher.start()
    },
    async reset() {
      await dispatcher.clear('the server was reset')
      deliveries.clear()
    },
    async close() {
      unsubscribe()
      await dispatcher.close()
    },
  }
}
