import type { PluginContext } from '@mailfront/core'
import { deliveryTracker } from './events.ts'
import type { SendingOptions } from './options.ts'
import { trackingTokens } from './tracking.ts'

/**
 * What the sending routes share: options, tracking tokens, the delivery tracker (subscribed to the
 * mail pipeline's events) and the background tasks (profile verification) that `idle` waits for.
 */
export function sendingService(ctx: PluginContext, opts: SendingOptions) {
  const tracker = deliveryTracker(ctx)
  const unsubscribe = ctx.mail?.onEvent((e) => tracker.listener(e)) ?? (() => {})
  const tasks = new Set<Promise<unknown>>()
  return {
    ctx,
    opts,
    tokens: trackingTokens(ctx.secret),
    tracker,
    /** Run work after the answer; failures are logged, never lost silently. */
    background(what: string, fn: () => Promise<unknown>) {
      const t = Promise.resolve()
        .then(fn)
        .catch((err) => ctx.log.error({ err }, `smtpd: ${what} failed`))
      tasks.add(t)
      void t.finally(() => tasks.delete(t))
    },
    async idle() {
      while (tasks.size) await Promise.all([...tasks])
      await tracker.idle()
    },
    async close() {
      unsubscribe()
      await this.idle()
    },
  }
}
export type Sending = ReturnType<typeof sendingService>
