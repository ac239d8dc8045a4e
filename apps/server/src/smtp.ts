import { hostname } from 'node:os'
import { LoginThrottle } from '@mailfront/core'
import type { SmtpLoginSource } from '@mailfront/mail/smtp'
import type { Runtime } from './runtime.ts'
import type { TlsMaterial } from './tls.ts'

export interface RunningSmtp {
  port: number
  close(): Promise<void>
}

/**
 * The SMTP submission port: logins are offered to each mounted plugin's `smtpAuth`, in mount order.
 * STARTTLS uses the HTTP server's certificate; without one, only loopback clients can log in.
 */
export async function startSmtp(rt: Runtime, tls: TlsMaterial | null): Promise<RunningSmtp | null> {
  const { smtp, host } = rt.config
  if (smtp.port === 'off') return null
  const sources: SmtpLoginSource[] = []
  for (const p of rt.plugins)
    if (p.smtpAuth) sources.push({ plugin: p.id, auth: p.smtpAuth(rt.contexts.get(p.id)!) })
  const log = rt.log.child ? rt.log.child({ component: 'smtp' }) : rt.log
  // Loaded only by a serving process: one-shot CLI commands never load smtp-server.
  const { createSmtpListener } = await import('@mailfront/mail/smtp')
  const listener = createSmtpListener({
    mail: rt.mail,
    sources,
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    maxSize: smtp.maxSize,
    maxClientsPerAddress: smtp.maxClients,
    hostname: hostname(),
    // The core's login throttle: failures only, per login and address, per address, per login.
    throttle: new LoginThrottle(rt.rateLimits, {
      scope: 'smtp',
      limits: smtp.login,
      onRefused: () => rt.metrics.rateLimited.inc({ plugin: 'smtp' }),
    }),
    log,
    onAuthFailure: () => rt.metrics.authFailures.inc({ plugin: 'smtp' }),
    checkRecipient: (from, rcpt) => rt.mail.local.check(from, rcpt),
    anyLogin: rt.config.smtp.auth === 'any',
  })
  const port = await listener.listen(smtp.port, host)
  return { port, close: () => listener.close() }
}
