import { streamSSE } from 'hono/streaming'
import type { AdminRoutes } from './app.ts'

export type AdminEvent = { type: string; data?: unknown }

/** A tiny in-process bus: what changed (a request, a reset, fixtures, faults, mail), for the live UI. */
export class AdminEvents {
  private listeners = new Set<(e: AdminEvent) => void>()
  emit(type: string, data?: unknown): void {
    for (const l of this.listeners) l({ type, data })
  }
  subscribe(fn: (e: AdminEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}

const KEEPALIVE_MS = 15_000

/** GET /_mailfront/events: server-sent events, one per change, with a comment every 15 s. */
export function eventRoutes(events: AdminEvents): AdminRoutes {
  return (admin) => {
    admin.get('/events', (c) =>
      streamSSE(c, async (stream) => {
        const queue: AdminEvent[] = []
        let wake: (() => void) | undefined
        const off = events.subscribe((e) => {
          queue.push(e)
          wake?.()
        })
        stream.onAbort(() => {
          off()
          wake?.()
        })
        await stream.writeSSE({ event: 'hello', data: '{}' })
        try {
          while (!stream.aborted && !stream.closed) {
            const e = queue.shift()
            if (e) {
              await stream.writeSSE({ event: e.type, data: JSON.stringify(e.data ?? {}) })
              continue
            }
            await new Promise<void>((r) => {
              const t = setTimeout(r, KEEPALIVE_MS)
              wake = () => {
                clearTimeout(t)
                r()
              }
            })
            wake = undefined
            if (!queue.length && !stream.aborted) await stream.write(': keep-alive\n\n')
          }
        } finally {
          off()
        }
      }),
    )
  }
}
