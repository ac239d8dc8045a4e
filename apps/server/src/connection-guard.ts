import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '@mailfront/core'

export interface ConnectionLimits {
  /** A connection must complete its first request's headers this long after it is accepted. */
  headersTimeoutMs: number
  /** Open connections per peer address; 0 = no bound. */
  maxPerAddress: number
}

const STARTED = Symbol('mailfront.firstRequest')
type Tracked = Socket & { [STARTED]?: boolean }

/**
 * Node's own `headersTimeout` starts with the first byte, so a connection that never sends one stays
 * open for ever, and each holds a file descriptor. Here the header deadline runs from the TCP accept
 * (the TLS handshake included: it must end within it too), and each peer
 * address may hold a bounded number of connections: one client cannot take them all.
 */
export function guardConnections(
  server: Server,
  limits: ConnectionLimits,
  log: Logger,
  _opts: { tls: boolean },
): { open(): number; refused(): number } {
  const perAddress = new Map<string, number>()
  let refused = 0
  let lastWarn = 0

  // Every raw TCP connection counts against its address, plain or TLS.
  server.on('connection', (sock: Socket) => {
    const addr = sock.remoteAddress ?? ''
    const n = perAddress.get(addr) ?? 0
    if (limits.maxPerAddress > 0 && n >= limits.maxPerAddress) {
      refused++
      const now = Date.now()
      if (now - lastWarn > 60_000) {
        lastWarn = now
        log.warn(
          { ip: addr, max: limits.maxPerAddress, refused },
          'connection refused: too many from one address',
        )
      }
      sock.destroy()
      return
    }
    perAddress.set(addr, n + 1)
    sock.once('close', () => {
      const left = (perAddress.get(addr) ?? 1) - 1
      if (left > 0) perAddress.set(addr, left)
      else perAddress.delete(addr)
    })
    // From accept, over TLS too: a deadline started only once the handshake finished let a client
    // that dragged out its handshake stay silent for the handshake's time and a full deadline more.
    firstRequestDeadline(sock)
  })
  server.on('request', (req: IncomingMessage) => {
    const s = req.socket as Tracked & { _parent?: Tracked }
    s[STARTED] = true
    // Over TLS the request's socket wraps the accepted one (Node's `_parent`), which the deadline holds.
    if (s._parent) s._parent[STARTED] = true
  })

  function firstRequestDeadline(sock: Tracked) {
    const timer = setTimeout(() => {
      if (!sock[STARTED]) sock.destroy()
    }, limits.headersTimeoutMs)
    timer.unref()
    sock.once('close', () => clearTimeout(timer))
  }

  return {
    open: () => [...perAddress.values()].reduce((a, b) => a + b, 0),
    refused: () => refused,
  }
}
