export interface RateLimitWindow {
  windowMs: number
  max: number
}

export interface ConsumeResult {
  allowed: boolean
  /** Requests left in the current window after this one. */
  remaining: number
  /** Epoch ms when the window resets. */
  resetAt: number
}

/** One atomic operation: count this request against `key` and say whether it may pass. */
export interface RateLimitStore {
  readonly id: string
  consume(key: string, w: RateLimitWindow): Promise<ConsumeResult>
  close?(): Promise<void>
}
