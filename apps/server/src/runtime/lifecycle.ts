import type { Logger } from '@mailfront/core'
import type { Runtime } from '../runtime.ts'
import { loadStartupFixtures } from './fixtures.ts'
import { markInitialized } from './store.ts'

/**
 * Back to the start: the store emptied (schema kept), the configured fixtures loaded again, the
 * request log, the faults, the webhook deliveries waiting (dropped, each logged), the webhook delivery
 * log and the clock's offset cleared (the admin API's webhook goes with the store; the environment's
 * stays). Returns what was loaded, per plugin.
 */
export async function resetRuntime(rt: Runtime): Promise<Record<string, number>> {
  // First: the deliveries waiting are read (each logged as dropped) before the store is emptied.
  await rt.webhooks.reset()
  await rt.storage.truncate()
  await markInitialized(rt.storage)
  rt.requestLog.clear()
  rt.faults.clear()
  rt.movableClock?.reset()
  const { loaded } = await loadStartupFixtures(rt, { fresh: true })
  rt.events.emit('reset', { loaded })
  return loaded
}

/** The background work started by serve, stopped first at close (newest last, in start order). */
export class Background {
  private stops: (() => Promise<void>)[] = []
  add(...stops: (() => Promise<void>)[]): void {
    this.stops.push(...stops)
  }
  /** Each one, even when one before failed; rejects at the end with the first failure. */
  async stop(): Promise<void> {
    let failed: { err: unknown } | undefined
    for (const stop of this.stops.splice(0)) await stop().catch((err) => (failed ??= { err }))
    if (failed) throw failed.err
  }
}

/**
 * Run the steps of a close in order, each one even when one before failed (each failure logged), so
 * that one part's failure (the store down at the webhooks' close) does not leave the others open.
 * Rejects at the end with the first failure.
 */
export async function closeInTurn(log: Logger, steps: [string, () => Promise<unknown>][]): Promise<void> {
  const failed: unknown[] = []
  for (const [what, step] of steps) {
    try {
      await step()
    } catch (err) {
      failed.push(err)
      log.error({ err, step: what }, 'a part of the server failed to close')
    }
  }
  if (failed.length) throw failed[0]
}
