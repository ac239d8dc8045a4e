import {
  createRelay,
  type MailPipeline,
  PRUNE_BATCH,
  pruneMail,
  type Retention,
  redactUrl,
  startWorker,
} from '@mailfront/mail'
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

/** Pruned this often, and shortly after each capture (a burst of mail is pruned once). */
const PRUNE_EVERY_MS = 60_000
const PRUNE_AFTER_SUBMIT_MS = 1_000

/** MAILFRONT_MAIL_RETAIN: prune at start, every minute and after mail arrives; returns its stop. */
export function startRetention(mail: MailPipeline, retain: Retention | undefined): () => Promise<void> {
  if (!retain) return async () => undefined
  let running: Promise<unknown> = Promise.resolve()
  let soon: NodeJS.Timeout | undefined
  let stopped = false
  const prune = () => {
    soon = undefined
    if (stopped) return
    running = running
      .then(async () => {
        // A full batch means more may be left: go on until a pass removes less.
        while ((await pruneMail(mail, retain)) >= PRUNE_BATCH);
      })
      .catch((err) => mail.log.warn({ err }, 'mail pruning failed'))
  }
  const every = setInterval(prune, PRUNE_EVERY_MS)
  every.unref()
  mail.onSubmitted(() => {
    if (soon || stopped) return
    soon = setTimeout(prune, PRUNE_AFTER_SUBMIT_MS)
    soon.unref()
  })
  prune()
  return async () => {
    stopped = true
    clearInterval(every)
    if (soon) clearTimeout(soon)
    await running
  }
}
