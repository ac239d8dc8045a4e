import { hostname } from 'node:os'
import { LoginThrottle } from '@mailfront/core'
import { smtpFaultHooks } from './admin/smtp-faults.ts'
import type { Runtime } from './runtime.ts'
import type { TlsMaterial } from './tls.ts'

export interface RunningSmtp {
  port: number
  close(): Promise<void>
}

/**
 * The SMTP submission port: a login is checked by the one mounted plugin holding it (SmtpLogins).
 * STARTTLS uses the HTTP server's certificate; without one, only loopback clients can log in.
 */
export async function startSmtp(rt: Runtime, tls: TlsMaterial | null): Promise<RunningSmtp | null> {
  const { smtp, host } = rt.config
  if (smtp.port === 'off') return null
  const log = rt.log.child ? rt.log.child({ component: 'smtp' }) : rt.log
  // Loaded only by a serving process: one-shot CLI commands never load smtp-server.
  const { createSmtpListener } = await import('@mailfront/mail/smtp')
  const listener = createSmtpListener({
    mail: rt.mail,
    sources: rt.smtpLogins.sources,
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    maxSize: smtp.maxSize,
    maxClientsPerAddress: smtp.maxClients,
    hostname: hostname(),
    // The core's login throttle: failures only, per login and address, per address, per login.
    throttle: new LoginThrottle(rt.rateLimits, {
      scope: 'smtp',
      limits: smtp.login,
      clock: rt.clock,
      onRefused: () => rt.metrics.rateLimited.inc({ plugin: 'smtp' }),
    }),
    log,
    onAuthFailure: () => rt.metrics.authFailures.inc({ plugin: 'smtp' }),
    checkRecipient: (from, rcpt) => rt.mail.local.check(from, rcpt),
    anyLogin: rt.config.smtp.auth === 'any',
    faults: smtpFaultHooks(rt.faults, rt.clock),
  })
  const port = await listener.listen(smtp.port, host)
  return { port, close: () => listener.close() }
}
