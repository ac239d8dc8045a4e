import { createRelay, type MailPipeline, redactUrl, startWorker } from '@mailfront/mail'
import type { Config } from './config.ts'

/** Start the delivery worker the configuration asks for; returns its stop. */
export function startDelivery(mail: MailPipeline, config: Config): () => Promise<void> {
  const { delivery, relayUrl, retryS, maxAttempts } = config.mail
  const worker = startWorker(mail, {
    mode: delivery,
    ...(delivery === 'relay' ? { relay: createRelay(relayUrl!) } : {}),
    retryDelayMs: Math.round(retryS * 1000),
    // Retries never wait less than the first delay; short test delays poll as often.
    pollMs: Math.min(1000, Math.max(100, Math.round(retryS * 1000))),
    maxAttempts,
  })
  mail.log.info(
    { delivery, ...(relayUrl && delivery === 'relay' ? { relay: redactUrl(relayUrl) } : {}) },
    'mail delivery started',
  )
  return () => worker.stop()
}
