export { buildDsn, dsnStatus, headerBlock } from './dsn.ts'
export { summaryHeaders } from './headers.ts'
export { MIME_LIMITS, type MimeLimits, mimeBeyondLimits } from './mime-shape.ts'
export { BODY, type EntryRow, MESSAGE, type MessageRow, mailModels, QUEUE, SEARCH } from './models.ts'
export { attachmentOf, type ParsedMessage, parseMessage } from './parse.ts'
export { SEARCH_HITS } from './queries.ts'
export { createRelay, parseRelayUrl, type Relay, type RelayResult, redactUrl } from './relay.ts'
export { PRUNE_BATCH, pruneMail, type Retention } from './retain.ts'
export {
  createMailPipeline,
  InvalidSubmission,
  type MailPipeline,
  type MailServiceOptions,
} from './service.ts'
export {
  DEFAULT_SIMULATOR_DOMAIN,
  DEFAULT_SLOW_MS,
  MAX_DEFER_FAILURES,
  SIMULATOR,
  type SimulatedOutcome,
  Simulator,
  simulatedOutcome,
} from './simulator.ts'
export {
  SMTP_STAGES,
  type SmtpFaultAction,
  type SmtpFaults,
  type SmtpStage,
} from './smtp-faults.ts'
export { retryDelay, startWorker, type Worker, type WorkerOptions } from './worker.ts'
