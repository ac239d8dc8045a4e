import proxyaddr from 'proxy-addr'

/**
 * Which proxies in front of mailfront are trusted (`MAILFRONT_TRUST_PROXY`):
 * - `false`: none; the socket's peer is the client and `X-Forwarded-*` is ignored.
 * - a number N ≥ 1: the N nearest hops are trusted proxies, whatever their addresses.
 * - a list of addresses, CIDRs or proxy-addr names (`loopback`, `linklocal`, `uniquelocal`): a hop
 *   is trusted when its address is in the list.
 */
export type TrustProxy = false | number | string[]

type Trust = (addr: string, i: number) => boolean

/** Throws a TypeError naming the bad entry (`invalid IP address: …`). */
export function compileTrust(t: TrustProxy): Trust | null {
  if (t === false || t === 0) return null
  if (typeof t === 'number') return (_addr, i) => i < t
  return proxyaddr.compile(t)
}

export interface ClientAddress {
  ip: string
  secure: boolean
}

/**
 * The client address and scheme as the trusted proxies report them. `X-Forwarded-For` is read from
 * the right: each trusted hop's entry is the address of whoever connected to it, so the first
 * untrusted entry (or the leftmost, when all are trusted) is the client. The leftmost entry alone is
 * what the client itself sent, and is never believed unless every hop to it is trusted.
 * `X-Forwarded-Proto` is read the same way: with k trusted hops, the k-th entry from the right is the
 * scheme the outermost trusted proxy received (a proxy that overwrites instead of appending leaves
 * one entry, which is used).
 */
export function clientAddress(
  sock: { remoteAddress?: string; encrypted?: boolean } | undefined,
  header: (name: string) => string | undefined,
  trust: Trust | null,
): ClientAddress {
  // Without a socket (app.request in tests, or a custom adapter) there is no transport to judge.
  const socketIp = sock?.remoteAddress ?? ''
  const socketSecure = sock ? !!sock.encrypted : true
  if (!trust) return { ip: socketIp, secure: socketSecure }
  const chain = proxyaddr.all(
    {
      headers: { 'x-forwarded-for': header('x-forwarded-for') ?? '' },
      socket: { remoteAddress: socketIp },
    } as never,
    trust,
  )
  const ip = chain[chain.length - 1] ?? socketIp
  // A trusted peer may report the scheme without any X-Forwarded-For: it counts as one hop.
  if (!trust(socketIp, 0)) return { ip, secure: socketSecure }
  const hops = Math.max(1, chain.length - 1)
  const protos = (header('x-forwarded-proto') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  if (!protos.length) return { ip, secure: socketSecure }
  return { ip, secure: protos[Math.max(0, protos.length - hops)] === 'https' }
}
