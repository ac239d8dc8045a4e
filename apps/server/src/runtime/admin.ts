import type { Clock, MailfrontPlugin } from '@mailfront/core'
import type { MovableClock } from '@mailfront/core/host'
import type { MailPipeline } from '@mailfront/mail'
import type { AdminRoutes } from '../admin/app.ts'
import { clockRoutes } from '../admin/clock.ts'
import { AdminEvents, eventRoutes } from '../admin/events.ts'
import { FaultSet, faultRoutes } from '../admin/faults.ts'
import { messageRoutes } from '../admin/messages.ts'
import { requestRoutes } from '../admin/requests.ts'
import { smtpFaultKind } from '../admin/smtp-faults.ts'
import { stateRoutes } from '../admin/state.ts'
import { webhookRoutes } from '../admin/webhook.ts'
import type { Config } from '../config.ts'
import { configuredSecrets, Redactor } from '../redact.ts'
import { RequestLog } from '../request-log.ts'
import type { Runtime } from '../runtime.ts'
import type { Webhooks } from '../webhooks/webhooks.ts'

/** What the admin API shows and drives: the request log, the faults, the change feed. */
export interface AdminState {
  requestLog: RequestLog
  faults: FaultSet
  events: AdminEvents
}

export function createAdminState(config: Config): AdminState {
  const requestLog = new RequestLog(config.requestLogSize, new Redactor(configuredSecrets(config)))
  const events = new AdminEvents()
  requestLog.subscribe((e) => events.emit('request', e))
  return { requestLog, faults: new FaultSet(), events }
}

/** The admin API's route groups over that state. `self` is the runtime, once it is built. */
export function adminRouteGroups(
  s: AdminState,
  d: {
    config: Config
    mail: MailPipeline
    plugins: MailfrontPlugin[]
    clock: Clock
    movableClock?: MovableClock
    webhooks: Webhooks
    self: () => Runtime
  },
): AdminRoutes[] {
  return [
    stateRoutes(d.self),
    requestRoutes(s.requestLog),
    messageRoutes(
      d.mail,
      { relayUrl: d.config.mail.relayUrl, allow: d.config.mail.releaseAllow },
      d.webhooks.released,
    ),
    faultRoutes(s.faults, () => d.plugins, s.events, [
      smtpFaultKind(
        d.config.smtp.port === 'off' ? 'the SMTP port is off (MAILFRONT_SMTP_PORT=off)' : undefined,
      ),
    ]),
    clockRoutes(d.clock, d.movableClock, s.events),
    eventRoutes(s.events),
    webhookRoutes(d.webhooks, s.events),
  ]
}
