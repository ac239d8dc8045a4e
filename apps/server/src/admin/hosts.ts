import { X509Certificate } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'

/**
 * The DNS-rebinding guard of the token-less admin API: the names a request's `Host` may carry. A page
 * of evil.example whose name is re-pointed at 127.0.0.1 reaches mailfront from a loopback socket,
 * same-origin, with `Host: evil.example`; only the Host header tells it apart, so the admin API
 * answers only to names such a page cannot have: loopback ones and the operator's own.
 */
export interface AdminHosts {
  /** Exact names, lower-case, no trailing dot (an IPv6 literal without brackets, canonical). */
  names: Set<string>
  /** `*.example.com` as `.example.com`: one more label in front matches (as in a certificate). */
  wildcards: string[]
}

const LABEL = '[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?'
const NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`)

/** An IPv6 literal in the form a browser sends (compressed, lower-case), for comparing. */
const canonicalV6 = (ip: string) => new URL(`http://[${ip}]/`).hostname.slice(1, -1)

/**
 * The allow-list from the operator's names (listen address, certificate names, client hostnames,
 * MAILFRONT_ADMIN_HOSTS): each lower-cased, its port and trailing dot dropped; `*.x` a wildcard.
 * Loopback names need no entry: they always pass.
 */
export function adminHosts(names: Iterable<string>): AdminHosts {
  const out: AdminHosts = { names: new Set(), wildcards: [] }
  for (const raw of names) {
    let n = raw.trim().toLowerCase()
    const v6 = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(n)
    if (v6) n = v6[1]!
    else if (!isIPv6(n)) n = n.replace(/:\d+$/, '').replace(/\.$/, '')
    if (isIPv6(n)) out.names.add(canonicalV6(n))
    // A wildcard stands for names under one the operator owns: never a whole top-level domain.
    else if (n.startsWith('*.')) {
      if (NAME.test(n.slice(2)) && n.slice(2).includes('.')) out.wildcards.push(n.slice(1))
    } else if (n) out.names.add(n)
  }
  return out
}

/** The DNS names a PEM certificate is for (its subjectAltName's DNS entries); none when unreadable. */
export function certificateHostnames(pem: string): string[] {
  try {
    const san = new X509Certificate(pem).subjectAltName ?? ''
    return san
      .split(/,\s*/)
      .filter((e) => e.startsWith('DNS:'))
      .map((e) => e.slice(4))
  } catch {
    return []
  }
}

/** A Host header split: its name lower-case (an IPv6 literal without brackets) and port; undefined when malformed. */
export function parseHost(host: string): { name: string; port?: string; ipv6: boolean } | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/i.exec(host.trim())
  if (!m) return undefined
  if (m[1] !== undefined)
    return isIPv6(m[1]) ? { name: canonicalV6(m[1]), port: m[3], ipv6: true } : undefined
  const name = m[2]!.toLowerCase().replace(/\.$/, '')
  return NAME.test(name) ? { name, port: m[3], ipv6: false } : undefined
}

/**
 * Whether a request with this `Host` may use the token-less admin API:
 * - `localhost` and every `*.localhost` (RFC 6761: never delegated, resolved to loopback);
 * - any IP literal: dotted-quad IPv4 (`0.0.0.0` and a LAN address included) and a bracketed IPv6. An
 *   IP literal is no DNS name: nothing can re-point it at this server, so a rebinding page never
 *   carries one (a page that names this server's address is cross-origin: `sameOriginWrites` and the
 *   browser's same-origin rule stop it). Loopback literals alone would refuse `http://0.0.0.0:port`
 *   and a LAN address for no gain;
 * - a name (or `*.` wildcard) of `allowed`.
 * Any other name, `127.0.0.1.evil.example`, `localhost.evil.example` and a short form such as `127.1`
 * (which browsers never send) included, is refused, and so is a malformed value. With any port.
 */
export function hostAllowed(host: string, allowed: AdminHosts): boolean {
  const h = parseHost(host)
  if (!h) return false
  if (h.ipv6 || isIPv4(h.name)) return true
  if (h.name === 'localhost' || h.name.endsWith('.localhost')) return true
  if (allowed.names.has(h.name)) return true
  return allowed.wildcards.some((w) => h.name.endsWith(w) && !h.name.slice(0, -w.length).includes('.'))
}
