import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyWebhook } from '../src/webhooks/signature.ts'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  /** The raw body as it arrived (what the signature covers). */
  body: string
}

/**
 * A webhook receiver on loopback for tests: records each POST, answers 200 unless told otherwise
 * (`answer(500, 500)`: the next two get 500; `clearAnswers()` forgets them), or holds requests unanswered (`hang`)
 * until closed or `release(status)`d.
 */
export async function startReceiver() {
  const received: Received[] = []
  const statuses: number[] = []
  const waiters = new Set<() => void>()
  let hang = false
  const held: import('node:http').ServerResponse[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      for (const w of waiters) w()
      if (hang) {
        held.push(res)
        return
      }
      const status = statuses.shift() ?? 200
      res.writeHead(status, status >= 300 && status < 400 ? { Location: '/elsewhere' } : {}).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/mailfront`,
    received,
    answer(...s: number[]) {
      statuses.push(...s)
    },
    /** Forget the answers still queued: the next requests get 200. */
    clearAnswers() {
      statuses.length = 0
    },
    hang(on = true) {
      hang = on
    },
    /** Answer the requests held so far (`hang`) with `status`. */
    release(status = 200) {
      for (const res of held.splice(0)) res.writeHead(status).end()
    },
    /** Resolves once `ok(received)` holds (checked at each arrival); rejects after `boundMs` saying what was missing. */
    until(ok: (r: Received[]) => boolean, what: string, boundMs = 15_000): Promise<Received[]> {
      if (ok(received)) return Promise.resolve(received)
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!ok(received)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(received)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`webhook receiver: ${what} did not arrive (got ${received.length} requests)`))
        }, boundMs)
        waiters.add(check)
      })
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/** A received delivery's parsed body. */
export const event = (r: Received) =>
  JSON.parse(r.body) as { id: string; type: string; createdAt: string; data: Record<string, any> }

/** Whether a received delivery carries a valid signature under this secret (the README's check). */
export const signedBy = (secret: string, r: Received) =>
  verifyWebhook(
    secret,
    {
      timestamp: r.headers['mailfront-webhook-timestamp'] as string,
      signature: r.headers['mailfront-webhook-signature'] as string,
    },
    r.body,
  )
