/** One attempt to deliver one event, as the admin API and the UI list it. */
export interface DeliveryAttempt {
  eventId: string
  type: string
  url: string
  /** 1 for the first attempt. */
  attempt: number
  /** The receiver's HTTP status, when it answered. */
  status?: number
  /** Why the attempt failed: a non-2xx status, a redirect (never followed), a timeout, a connection error. */
  error?: string
  durationMs: number
  /** ISO time (the server's clock) the attempt was made. */
  at: string
  /**
   * `delivered` (2xx), `retrying` (another attempt at `nextRetryAt`), `failed` (the last attempt
   * failed), `dropped` (not sent: no webhook configured any more, the queue full, or the server stopping).
   */
  outcome: 'delivered' | 'retrying' | 'failed' | 'dropped'
  nextRetryAt?: string
}

/** The newest attempts, at most `size` of them: a bounded ring, newest first when listed. */
export class DeliveryLog {
  private entries: DeliveryAttempt[] = []
  private listeners = new Set<(a: DeliveryAttempt) => void>()

  constructor(readonly size: number) {}

  add(a: DeliveryAttempt): void {
    this.entries.push(a)
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size)
    for (const l of this.listeners) l(a)
  }

  list(): DeliveryAttempt[] {
    return [...this.entries].reverse()
  }

  clear(): void {
    this.entries = []
  }

  subscribe(fn: (a: DeliveryAttempt) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
