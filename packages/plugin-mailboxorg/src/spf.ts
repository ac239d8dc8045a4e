import { Resolver } from 'node:dns/promises'

// The SPF check behind domain.validate.spf: the domain's TXT records are read from DNS, the SPF
// record parsed (RFC 7208 syntax), and includes and redirects followed, at most 10 DNS lookups as
// the RFC allows, to see whether the expected include (mailbox.org's) authorises the domain's mail.

/** What the check needs of DNS: injectable, so tests need no network. */
export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>
}

/** node:dns, on the system's resolvers or on the ones given (`ip` or `ip:port`). */
export function dnsResolver(servers: string[] = []): TxtResolver {
  const r = new Resolver({ timeout: 2000, tries: 2 })
  if (servers.length) r.setServers(servers)
  return r
}

export type SpfStatus = 'ok' | 'incomplete' | 'missing' | 'invalid' | 'error'

export interface SpfReport {
  domain: string
  /** ok: valid and the expected include is reached; incomplete: valid without it; missing: no
   * SPF record; invalid: a syntax error, several records or too many lookups; error: DNS failed. */
  status: SpfStatus
  record: string | null
  records: string[]
  mechanisms: string[]
  all: string | null
  includes_expected: boolean
  expected_include: string
  dns_lookups: number
  errors: string[]
}

const MAX_LOOKUPS = 10
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME'])
const MECHANISM =
  /^[+?~-]?(all|include:\S+|a(:\S+)?(\/\d+)?(\/\/\d+)?|mx(:\S+)?(\/\d+)?(\/\/\d+)?|ptr(:\S+)?|ip4:[\d.]+(\/\d+)?|ip6:[\da-f:.]+(\/\d+)?|exists:\S+)$/i
const MODIFIER = /^[a-z][a-z0-9_.-]*=\S*$/i
const LOOKUP = /^[+?~-]?(include|a|mx|ptr|exists)(\b|:)/i

class DnsError extends Error {}

async function spfRecords(dns: TxtResolver, name: string): Promise<string[]> {
  try {
    const txt = await dns.resolveTxt(name)
    return txt.map((chunks) => chunks.join('')).filter((t) => /^v=spf1(\s|$)/i.test(t))
  } catch (e) {
    const code = (e as { code?: string }).code ?? ''
    if (NO_RECORD.has(code)) return []
    throw new DnsError(`${name}: DNS lookup failed (${code || (e as Error).message})`)
  }
}

const terms = (record: string) => record.trim().split(/\s+/).slice(1)

export async function checkSpf(dns: TxtResolver, domain: string, expected: string): Promise<SpfReport> {
  const report: SpfReport = {
    domain,
    status: 'missing',
    record: null,
    records: [],
    mechanisms: [],
    all: null,
    includes_expected: false,
    expected_include: expected,
    dns_lookups: 0,
    errors: [],
  }
  try {
    report.records = await spfRecords(dns, domain)
  } catch (e) {
    return { ...report, status: 'error', errors: [(e as Error).message] }
  }
  if (!report.records.length) return report
  if (report.records.length > 1) {
    report.errors.push(`${domain}: ${report.records.length} SPF records (RFC 7208 allows one)`)
    return { ...report, status: 'invalid' }
  }
  const record = report.records[0]!
  report.record = record
  report.mechanisms = terms(record)
  report.all = report.mechanisms.find((t) => /^[+?~-]?all$/i.test(t)) ?? null
  const seen = new Set<string>([domain.toLowerCase()])

  // Walks a record: syntax, lookups counted, includes and a redirect followed.
  const walk = async (name: string, rec: string): Promise<void> => {
    for (const t of terms(rec)) {
      if (!MECHANISM.test(t) && !MODIFIER.test(t)) {
        report.errors.push(`${name}: unknown term "${t}"`)
        continue
      }
      const target = /^[+?~-]?include:(\S+)$/i.exec(t)?.[1] ?? /^redirect=(\S+)$/i.exec(t)?.[1]
      if (LOOKUP.test(t) || target) report.dns_lookups++
      if (!target) continue
      const to = target.toLowerCase()
      if (to === expected.toLowerCase()) report.includes_expected = true
      if (report.dns_lookups > MAX_LOOKUPS || seen.has(to)) continue
      seen.add(to)
      const nested = await spfRecords(dns, to)
      if (nested.length !== 1)
        report.errors.push(`${to}: ${nested.length} SPF records (included from ${name})`)
      else await walk(to, nested[0]!)
    }
  }
  try {
    await walk(domain, record)
  } catch (e) {
    report.errors.push((e as Error).message)
    return { ...report, status: 'error' }
  }
  if (report.dns_lookups > MAX_LOOKUPS)
    report.errors.push(`${report.dns_lookups} DNS lookups (RFC 7208 allows ${MAX_LOOKUPS})`)
  report.status = report.errors.length ? 'invalid' : report.includes_expected ? 'ok' : 'incomplete'
  return report
}
