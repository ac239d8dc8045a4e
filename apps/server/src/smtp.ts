import { hostname } from 'node:os'
import { createSmtpListener, type SmtpLoginSource } from '@mailfront/mail'
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
  const listener = createSmtpListener({
    mail: rt.mail,
    sources,
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    maxSize: smtp.maxSize,
    maxClientsPerAddress: smtp.maxClients,
    hostname: hostname(),
    // LOGIN THROTTLE (issue #12): pass the core's LoginThrottle here once it is on main, e.g.
    // `throttle: new LoginThrottle(rt.rateLimits, { scope: 'smtp', onRefused: … })`.
    log,
    onAuthFailure: () => rt.metrics.authFailures.inc({ plugin: 'smtp' }),
  })
  const port = await listener.listen(smtp.port, host)
  return { port, close: () => listener.close() }
}
