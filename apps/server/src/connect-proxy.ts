import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Logger } from '@mailfront/core'

export interface ConnectProxyOptions {
  /** Host names CONNECT may reach (each only on port 443). */
  hostnames: readonly string[]
  /** mailfront's own TLS server: an accepted tunnel is handed to it as a new connection. */
  tlsServer: Server
  host: string
  port: number
  /** Open client connections at most (tunnels included); more are closed at accept. */
  maxConnections: number
  /** A tunnel idle this long is closed. */
  idleTimeoutMs: number
  /** The CONNECT request's headers must arrive this soon after accept. */
  headersTimeoutMs: number
  log: Logger
}

export interface RunningProxy {
  port: number
  /** The listening server (its 'connection' and 'drop' events tell what it accepted and refused). */
  server: Server
  /** Stops accepting; tunnels still open after `graceMs` (default 0) are destroyed. */
  close(graceMs?: number): Promise<void>
}

const reply = (sock: Socket, status: string, extra = '') =>
  sock.end(`HTTP/1.1 ${status}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`)

/** `host:port` of a CONNECT request target, lower-cased; undefined when it is not one. */
export function connectTarget(target: string | undefined): { host: string; port: number } | undefined {
  const m = /^\[?([A-Za-z0-9.:-]+?)\]?:(\d{1,5})$/.exec(target ?? '')
  return m ? { host: m[1]!.toLowerCase().replace(/\.$/, ''), port: Number(m[2]) } : undefined
}

/**
 * An HTTPS proxy for the plugins' public hostnames only: `CONNECT <hostname>:443` is answered
 * 200 and the connection then becomes a connection to mailfront's own TLS server (the client's TLS
 * handshake goes straight to it, so the socket keeps the client's address for logs, throttles and the
 * admin API's loopback rule). CONNECT anywhere else gets 403 and any other request 405: never an open proxy.
 */
export async function startConnectProxy(o: ConnectProxyOptions): Promise<RunningProxy> {
  const allowed = new Set(o.hostnames)
  // Tunnels leave the HTTP server's tracking (closeAllConnections misses them) but keep its close waiting.
  const tunnels = new Set<Socket>()
  const server = createServer({ connectionsCheckingInterval: 1_000 })
  server.headersTimeout = o.headersTimeoutMs
  server.requestTimeout = o.headersTimeoutMs
  server.maxConnections = o.maxConnections
  // Node's headersTimeout starts at the first byte: a client that sends none is closed here.
  server.on('connection', (sock: Socket) => sock.setTimeout(o.headersTimeoutMs, () => sock.destroy()))
  server.on('request', (_req: IncomingMessage, res) => {
    res.writeHead(405, { Allow: 'CONNECT', 'Content-Type': 'text/plain', Connection: 'close' })
    res.end('mailfront proxies only CONNECT to its own hostnames (use it as HTTPS_PROXY)\n')
  })
  server.on('connect', (req: IncomingMessage, sock: Socket, head: Buffer) => {
    sock.on('error', () => sock.destroy())
    const target = connectTarget(req.url)
    if (!target) return reply(sock, '400 Bad Request')
    if (target.port !== 443 || !allowed.has(target.host)) {
      o.log.info({ target: req.url, ip: sock.remoteAddress }, 'proxy: CONNECT refused')
      return reply(sock, '403 Forbidden')
    }
    sock.setTimeout(o.idleTimeoutMs, () => sock.destroy())
    tunnels.add(sock)
    sock.once('close', () => tunnels.delete(sock))
    sock.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    // Bytes the client sent after its CONNECT head (the start of its TLS handshake) go first.
    if (head.length) sock.unshift(head)
    o.tlsServer.emit('connection', sock)
  })
  server.on('clientError', (_e, sock: Socket) => {
    if (sock.writable) reply(sock, '400 Bad Request')
    else sock.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const t of tunnels) t.destroy()
        }, graceMs)
        server.close(() => {
          clearTimeout(timer)
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
