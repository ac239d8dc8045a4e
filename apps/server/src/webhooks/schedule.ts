import { backoffDelay } from '@mailfront/core/host'

/** The retry schedule: what follows a failed attempt. */
export interface RetrySchedule {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** The wait after the first failure; doubled after each further one. */
  firstRetryMs: number
  /** No wait is longer. */
  maxRetryMs: number
}

/** 10 s, 20 s, 40 s, … at most 1 h, 8 attempts: the last about 21 minutes after the first. */
export const DEFAULT_SCHEDULE: RetrySchedule = {
  maxAttempts: 8,
  firstRetryMs: 10_000,
  maxRetryMs: 3_600_000,
}

/** The wait after attempt `attempt` (1 = the first) failed; null when it was the last one allowed. */
export function retryDelayMs(attempt: number, s: RetrySchedule = DEFAULT_SCHEDULE): number | null {
  return attempt >= s.maxAttempts ? null : backoffDelay(attempt, s.firstRetryMs, s.maxRetryMs)
}
