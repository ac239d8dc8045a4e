/**
 * Poll `read` until `ok` holds (every 50 ms, at most 15 s), for state a server reaches on its own
 * (its worker's next poll): throws with the last value read. Never a wait for a time rule: tests move
 * the clock for those.
 */
export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: T | undefined
  for (let i = 0; i < 300; i++) {
    last = await read()
    if (ok(last)) return last
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`)
}
