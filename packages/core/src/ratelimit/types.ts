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

/** A window as it stands: its count (0 when no window is live) and when it resets. */
export interface WindowState {
  count: number
  /** Epoch ms; 0 when no window is live. */
  resetAt: number
}

/** One atomic operation: count this request against `key` and say whether it may pass. */
export interface RateLimitStore {
  readonly id: string
  consume(key: string, w: RateLimitWindow): Promise<ConsumeResult>
  /** Read several windows without counting anything (one round trip). */
  peek(keys: string[]): Promise<WindowState[]>
  close?(): Promise<void>
}
