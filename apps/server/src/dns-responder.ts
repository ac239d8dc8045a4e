import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { type AddressInfo, BlockList, connect, createServer, isIP, type Server, type Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Logger } from '@mailfront/core'
import * as packet from 'dns-packet'
import type { Config } from './config.ts'
import { parseResolver } from './config-env.ts'

type Resolver = { address: string; port: number }

export interface DnsOptions {
  host: string
  port: number
  /** Names answered here (lower case, no trailing dot). */
  names: readonly string[]
  /** Addresses they resolve to (A for IPv4 ones, AAAA for IPv6 ones). */
  answer: string[]
  /** Where every other query goes, in order. */
  upstream: Resolver[]
  log: Logger
  /** One upstream's time to answer before the next is tried. */
  upstreamTimeoutMs?: number
  /** Who may have other names forwarded: loopback and private sources only (default), or anyone. */
  forward?: 'private' | 'any'
  /** Per-source token bucket: queries allowed at once, and refilled per second. */
  rate?: { burst: number; perSecond: number }
}

export interface RunningDns {
  port: number
  answer: string[]
  /** Queries dropped unanswered because their source was over its rate. */
  dropped(): number
  close(): Promise<void>
}

const TTL = 60
// Bounds: queries being forwarded at once (more get SERVFAIL), TCP clients, a TCP client's idle time.
const MAX_IN_FLIGHT = 256
const MAX_TCP_CLIENTS = 128
const TCP_IDLE_MS = 10_000
// Per source: a resolver's burst at page load, then a steady rate far above one client's need.
const RATE = { burst: 200, perSecond: 50 }
const MAX_BUCKETS = 10_000
// A UDP reply without EDNS fits 512 bytes (RFC 1035 4.2.1); an EDNS size above 4096 is not believed.
const UDP_MIN = 512
const UDP_MAX = 4096

// Sources that may have names forwarded: loopback, RFC 1918, link-local, ULA (fc00::/7).
const PRIVATE = new BlockList()
for (const [net, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6')

/** Whether a query from this address may be forwarded upstream without MAILFRONT_DNS_FORWARD=any. */
export function isPrivateSource(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  const a = (mapped ?? address).replace(/%.*$/, '')
  const family = isIP(a)
  return family > 0 && PRIVATE.check(a, family === 4 ? 'ipv4' : 'ipv6')
}

/**
 * Whether an upstream is this very responder: same port and its listen address, or, listening on a
 * wildcard (or a name), a loopback address or one of this machine's interface addresses.
 */
export function isSelf(u: Resolver, host: string, port: number, local = localAddresses()): boolean {
  if (u.port !== port) return false
  if (u.address === host) return true
  const wildcard = isIP(host) === 0 || host === '0.0.0.0' || host === '::'
  return wildcard && (isLoopback(u.address) || local.has(u.address.toLowerCase()))
}
// Only the loopback addresses a wildcard socket owns: another 127.x (Docker's 127.0.0.11, systemd's
// 127.0.0.53) is a different resolver, reached through NAT or its own socket.
const isLoopback = (a: string) => ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(a)
const localAddresses = () =>
  new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address.toLowerCase().replace(/%.*$/, ''))
      .filter((a): a is string => !!a),
  )

/** The nameservers of /etc/resolv.conf (port 53). */
export function resolvConfServers(text: string): Resolver[] {
  return text
    .split('\n')
    .map((l) => /^\s*nameserver\s+([0-9a-fA-F:.]+)(%\S+)?\s*$/.exec(l)?.[1])
    .filter((a): a is string => !!a && isIP(a) > 0)
    .map((address) => ({ address, port: 53 }))
}

/** The responder's settings from the configuration: answer the listen address, forward as resolv.conf says. */
export function dnsOptions(config: Config, names: readonly string[], log: Logger): DnsOptions {
  const listen = isIP(config.host) && !['0.0.0.0', '::'].includes(config.host) ? config.host : '127.0.0.1'
  let upstream = (config.dns.upstream ?? []).map((u) => parseResolver(u)!)
  if (!config.dns.upstream) {
    try {
      upstream = resolvConfServers(readFileSync('/etc/resolv.conf', 'utf8'))
    } catch {
      upstream = []
    }
  }
  return {
    host: config.host,
    port: config.dns.port as number,
    names,
    answer: config.dns.answer ?? [listen],
    upstream,
    forward: config.dns.forward,
    log: log.child ? log.child({ component: 'dns' }) : log,
  }
}

/**
 * A DNS server (UDP and TCP on one port) for clients whose API hostnames are built in: A and AAAA for
 * the plugins' hostnames answer mailfront's address; every other query is passed to the upstream
 * resolvers as it came and their answer returned, so a container can use this as its only DNS server.
 * The wire format is dns-packet's; a packet it cannot read gets FORMERR (or nothing, without a header).
 */
export async function startDnsResponder(o: DnsOptions): Promise<RunningDns> {
  const names = new Set(o.names)
  const timeout = o.upstreamTimeoutMs ?? 2_000
  const rate = o.rate ?? RATE
  const buckets = new Map<string, { tokens: number; at: number }>()
  let inFlight = 0
  let closed = false
  let dropped = 0

  // A query is never sent back to this responder itself (resolv.conf may name it).
  const upstreamOf = (port: number) => {
    const local = localAddresses()
    return o.upstream.filter((u) => !isSelf(u, o.host, port, local))
  }

  /** Takes a token from the source's bucket; false when it has none (the query is dropped). */
  function admit(source: string): boolean {
    const now = Date.now()
    if (buckets.size >= MAX_BUCKETS) {
      // Sources idle long enough to be full again are forgotten.
      const full = (rate.burst / rate.perSecond) * 1000
      for (const [k, b] of buckets) if (now - b.at >= full) buckets.delete(k)
      if (buckets.size >= MAX_BUCKETS) buckets.clear()
    }
    const b = buckets.get(source) ?? { tokens: rate.burst, at: now }
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond)
    b.at = now
    buckets.set(source, b)
    if (b.tokens < 1) {
      dropped++
      return false
    }
    b.tokens -= 1
    return true
  }

  async function answer(
    msg: Buffer,
    tcp: boolean,
    port: number,
    source: string,
  ): Promise<Buffer | undefined> {
    // A response (QR set) is never answered, not even with FORMERR: two responders would loop.
    if (msg.length >= 3 && msg[2]! & 0x80) return undefined
    if (!admit(source)) return undefined
    let q: packet.Packet
    try {
      q = packet.decode(msg)
    } catch {
      return msg.length >= 12 ? failure(msg.readUInt16BE(0), 'FORMERR') : undefined
    }
    if (q.type !== 'query') return undefined
    const question = q.questions?.[0]
    if (!question || q.questions!.length !== 1) return failure(q.id ?? 0, 'FORMERR', q.questions)
    // ANY is refused (RFC 8482 allows NOTIMP): its big answers are what amplification attacks want.
    if ((question.type as string) === 'ANY') return failure(q.id ?? 0, 'NOTIMP', q.questions)
    const name = question.name.toLowerCase().replace(/\.$/, '')
    if (names.has(name)) return local(q, question, name)
    // Not an open resolver: other names are forwarded only for private sources unless told otherwise.
    if ((o.forward ?? 'private') === 'private' && !isPrivateSource(source))
      return failure(q.id ?? 0, 'REFUSED', q.questions)
    if (inFlight >= MAX_IN_FLIGHT || closed) return failure(q.id ?? 0, 'SERVFAIL', q.questions)
    inFlight++
    try {
      for (const u of upstreamOf(port)) {
        const reply = await (tcp ? forwardTcp : forwardUdp)(msg, u, timeout).catch(() => undefined)
        if (reply && reply.length >= 2 && reply.readUInt16BE(0) === q.id) return reply
      }
      return failure(q.id ?? 0, 'SERVFAIL', q.questions)
    } finally {
      inFlight--
    }
  }

  function local(q: packet.Packet, question: packet.Question, name: string): Buffer {
    const family = question.type === 'A' ? 4 : question.type === 'AAAA' ? 6 : 0
    const answers = o.answer
      .filter((a) => isIP(a) === family)
      .map((data) => ({ type: question.type, class: 'IN', name, ttl: TTL, data }) as packet.Answer)
    // Any other type for these names (HTTPS, MX…) is an empty NOERROR: the names exist, those records do not.
    return packet.encode({
      type: 'response',
      id: q.id,
      flags:
        packet.AUTHORITATIVE_ANSWER |
        packet.RECURSION_AVAILABLE |
        ((q.flags ?? 0) & packet.RECURSION_DESIRED),
      questions: [question],
      answers,
    })
  }

  const { udp, tcp: tcpServer, port } = await listenBoth(o.host, o.port)
  udp.on('error', (e) => o.log.warn({ err: e }, 'dns: UDP socket error'))
  tcpServer.maxConnections = MAX_TCP_CLIENTS
  const clients = new Set<Socket>()

  udp.on('message', (msg, from) => {
    answer(msg, false, port, from.address).then(
      (reply) => {
        if (reply && !closed) udp.send(fitUdp(reply, msg), from.port, from.address)
      },
      (e) => o.log.warn({ err: e }, 'dns: query failed'),
    )
  })
  tcpServer.on('connection', (sock: Socket) => {
    clients.add(sock)
    sock.once('close', () => clients.delete(sock))
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy())
    sock.on('error', () => sock.destroy())
    let buf = Buffer.alloc(0)
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      // Each DNS-over-TCP message is prefixed by its length (RFC 1035 4.2.2).
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
        buf = buf.subarray(2 + msg.length)
        answer(msg, true, port, sock.remoteAddress ?? '').then(
          (reply) => {
            if (!reply) return sock.destroy()
            if (!sock.destroyed) sock.write(Buffer.concat([u16(reply.length), reply]))
          },
          () => sock.destroy(),
        )
      }
    })
  })

  return {
    port,
    answer: o.answer,
    dropped: () => dropped,
    close: async () => {
      closed = true
      await new Promise<void>((r) => udp.close(() => r()))
      await new Promise<void>((r) => {
        tcpServer.close(() => r())
        // Open TCP clients are closed with the server.
        for (const s of clients) s.destroy()
      })
    },
  }
}

// dns-packet writes the response code from the flags' low four bits (RFC 1035 4.1.1).
const RCODE = { FORMERR: 1, SERVFAIL: 2, NOTIMP: 4, REFUSED: 5 } as const

function failure(id: number, rcode: keyof typeof RCODE, questions: packet.Question[] = []): Buffer {
  return packet.encode({ type: 'response', id, flags: packet.RECURSION_AVAILABLE | RCODE[rcode], questions })
}

/**
 * A UDP reply no bigger than the client can take (512 bytes, or its EDNS size): a bigger one is sent
 * as its header and question with the TC bit, so the client asks again over TCP (RFC 1035 4.2.1, 6891).
 */
export function fitUdp(reply: Buffer, query: Buffer): Buffer {
  let limit = UDP_MIN
  let questions: packet.Question[] = []
  try {
    const q = packet.decode(query)
    questions = q.questions ?? []
    const opt = q.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined
    if (opt?.udpPayloadSize) limit = Math.min(UDP_MAX, Math.max(UDP_MIN, opt.udpPayloadSize))
  } catch {}
  if (reply.length <= limit) return reply
  // The reply's own flags (and rcode) are kept, with TC; questions are the query's.
  const flags = (reply.readUInt16BE(2) & 0x7fff) | packet.TRUNCATED_RESPONSE
  return packet.encode({ type: 'response', id: reply.readUInt16BE(0), flags, questions })
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

/** UDP and TCP on the same port (for port 0, a free TCP port that is also free for UDP). */
async function listenBoth(
  host: string,
  port: number,
): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const tcp = createServer()
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(port, host, () => {
        tcp.off('error', reject)
        resolve()
      })
    })
    const p = (tcp.address() as AddressInfo).port
    const udp = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' })
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind(p, host, () => {
          udp.off('error', reject)
          resolve()
        })
      })
      return { udp, tcp, port: p }
    } catch (e) {
      await new Promise<void>((r) => tcp.close(() => r()))
      if (port !== 0 || attempt >= 5) throw e
    }
  }
}

function forwardUdp(msg: Buffer, to: Resolver, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIP(to.address) === 6 ? 'udp6' : 'udp4')
    const done = (e: Error | null, reply?: Buffer) => {
      clearTimeout(timer)
      sock.close()
      if (e) reject(e)
      else resolve(reply!)
    }
    const timer = setTimeout(() => done(new Error('upstream timeout')), timeoutMs)
    sock.on('error', (e) => done(e))
    sock.on('message', (reply, from) => {
      if (from.address === to.address && from.port === to.port) done(null, reply)
    })
    sock.send(msg, to.port, to.address)
  })
}

function forwardTcp(msg: Buffer, to: Resolver, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect(to.port, to.address)
    let buf = Buffer.alloc(0)
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('upstream timeout')))
    sock.on('error', reject)
    sock.on('connect', () => sock.write(Buffer.concat([u16(msg.length), msg])))
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)))
        sock.destroy()
      }
    })
    sock.on('close', () => reject(new Error('upstream closed')))
  })
}
