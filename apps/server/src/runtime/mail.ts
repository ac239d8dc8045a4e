import { hostname } from 'node:os'
import type { Clock, Logger, StorageAdapter } from '@mailfront/core'
import { createMailPipeline, type MailPipeline } from '@mailfront/mail'
import type { AdminEvents } from '../admin/events.ts'
import type { Config } from '../config.ts'
import { startDelivery, startRetention } from '../mail.ts'
import type { Metrics } from '../metrics.ts'

/** The mail pipeline over the store, its events counted in the metrics and shown in the UI. */
export function openMail(d: {
  storage: StorageAdapter
  clock: Clock
  log: Logger
  metrics: Metrics
  events: AdminEvents
  config: Pick<Config['mail'], 'simulatorDomain' | 'simulatorSlowMs'>
}): MailPipeline {
  const mail = createMailPipeline({
    storage: d.storage,
    clock: d.clock,
    log: d.log.child ? d.log.child({ component: 'mail' }) : d.log,
    hostname: hostname(),
    simulatorDomain: d.config.simulatorDomain,
    simulatorSlowMs: d.config.simulatorSlowMs,
  })
  mail.onEvent((e) => d.metrics.mail.inc({ plugin: e.plugin, event: e.type }))
  // Captured mail shows up in the UI as it arrives (and as its state changes).
  mail.onEvent((e) => d.events.emit('mail', { type: e.type, messageId: e.messageId, plugin: e.plugin }))
  return mail
}

/** The pipeline's background work (serve only): the delivery worker and retention; returns the stops. */
export function startMail(mail: MailPipeline, config: Config): (() => Promise<void>)[] {
  return [startDelivery(mail, config), startRetention(mail, config.mail.retain)]
}
