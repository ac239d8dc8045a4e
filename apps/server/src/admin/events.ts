import { z } from '@mailfront/core'
import { streamSSE } from 'hono/streaming'
import { type AdminRoutes, adminRoute } from './app.ts'
import { error } from './schemas.ts'

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
/** Streams one client address may hold open at once; more answer 429. */
export const MAX_STREAMS_PER_ADDRESS = 16
/** A stream ends after this long; the UI (and EventSource) reconnect on their own. */
export const STREAM_LIFETIME_MS = 30 * 60_000
/**
 * Events one stream may hold unsent while its client does not read. Past it the stream drops them,
 * sends `event: overflow` and ends: the UI reloads everything and reconnects.
 */
export const MAX_QUEUED_EVENTS = 1_000

/**
 * GET /_mailfront/events: server-sent events, one per change, with a comment every 15 s. Bounded: at
 * most `maxPerAddress` open streams per client address (429 with Retry-After above), each ended after
 * `lifetimeMs`, so no client can hold an unbounded number of them, or one forever; a client that
 * stops reading gets at most `maxQueued` events held for it, then `event: overflow` and the end.
 */
export function eventRoutes(
  events: AdminEvents,
  opts: { maxPerAddress?: number; lifetimeMs?: number; maxQueued?: number } = {},
): AdminRoutes {
  const max = opts.maxPerAddress ?? MAX_STREAMS_PER_ADDRESS
  const lifetime = opts.lifetimeMs ?? STREAM_LIFETIME_MS
  const maxQueued = opts.maxQueued ?? MAX_QUEUED_EVENTS
  const open = new Map<string, number>()
  return (admin) => {
    adminRoute(admin)(
      {
        method: 'get',
        path: '/events',
        tags: ['events'],
        summary:
          'Server-sent events: request, mail, reset, fixtures, faults, clock, webhook; overflow ends a stream',
        responses: {
          200: { description: 'an event stream', content: { 'text/event-stream': { schema: z.string() } } },
          429: error('too many open streams from this address (Retry-After)'),
        },
      },
      (c) => {
        // The client address the server resolved for this request ('' in process).
        const ip = c.get('mailfront')?.ip ?? ''
        const n = open.get(ip) ?? 0
        if (n >= max) {
          c.header('Retry-After', '5')
          return c.json({ error: `at most ${max} event streams per client address` }, 429)
        }
        open.set(ip, n + 1)
        const release = () => {
          const left = (open.get(ip) ?? 1) - 1
          if (left > 0) open.set(ip, left)
          else open.delete(ip)
        }
        return streamSSE(c, async (stream) => {
          const ends = Date.now() + lifetime
          const queue: AdminEvent[] = []
          let wake: (() => void) | undefined
          let overflowed = false
          const off = events.subscribe((e) => {
            if (queue.length >= maxQueued) {
              // A stalled reader: stop holding events for it (memory stays bounded), tell it, end.
              overflowed = true
              queue.length = 0
              off()
            } else queue.push(e)
            wake?.()
          })
          stream.onAbort(() => {
            off()
            wake?.()
          })
          try {
            await stream.writeSSE({ event: 'hello', data: '{}' })
            while (!stream.aborted && !stream.closed) {
              if (overflowed) {
                await stream.writeSSE({ event: 'overflow', data: JSON.stringify({ maxQueued }) })
                break
              }
              const e = queue.shift()
              if (e) {
                await stream.writeSSE({ event: e.type, data: JSON.stringify(e.data ?? {}) })
                continue
              }
              const left = ends - Date.now()
              if (left <= 0) break
              await new Promise<void>((r) => {
                const t = setTimeout(r, Math.min(KEEPALIVE_MS, left))
                wake = () => {
                  clearTimeout(t)
                  r()
                }
              })
              wake = undefined
              if (!queue.length && !stream.aborted && Date.now() < ends)
                await stream.write(': keep-alive\n\n')
            }
          } finally {
            off()
            release()
          }
        })
      },
    )
  }
}
