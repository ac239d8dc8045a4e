import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const KEY = randomBytes(32)

/** Constant-time string compare, also for strings of different lengths. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHmac('sha256', KEY).update(a).digest()
  const db = createHmac('sha256', KEY).update(b).digest()
  return timingSafeEqual(da, db)
}
