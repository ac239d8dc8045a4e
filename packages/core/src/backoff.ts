/**
 * Capped doubling: the wait before retry `n` (n ≥ 1, the retry after the first failure) is `firstMs`,
 * doubled for each further failure, never more than `maxMs`. The mail queue and the webhooks retry by it.
 */
export function backoffDelay(n: number, firstMs: number, maxMs: number): number {
  // The exponent is bounded so a large n stays a finite number (capped at maxMs anyway).
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(0, n - 1), 40))
}
