import { Resolver as NodeResolver } from 'node:dns/promises'
import type { RecordState } from './models.ts'

/** The two lookups verification needs; node:dns by default, injectable for tests (no internet here). */
export interface Resolver {
  resolveTxt(name: string): Promise<string[][]>
  resolveCname(name: string): Promise<string[]>
}

export interface DnsRecord {
  kind: 'dkim' | 'spf' | 'bounce' | 'link'
  name: string
  type: 'TXT' | 'CNAME'
  value: string
}

export function nodeResolver(timeoutMs = 5000): Resolver {
  const r = new NodeResolver({ timeout: timeoutMs, tries: 2 })
  return { resolveTxt: (n) => r.resolveTxt(n), resolveCname: (n) => r.resolveCname(n) }
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\.$/, '')
const compact = (s: string) => s.replace(/\s+/g, '')

/** Does the DNS hold what the record asks: the DKIM key, the SPF include, the CNAME target. */
export async function checkRecord(resolver: Resolver, rec: DnsRecord): Promise<RecordState> {
  try {
    if (rec.type === 'CNAME') {
      const targets = await resolver.resolveCname(rec.name)
      return targets.some((t) => norm(t) === norm(rec.value)) ? 'valid' : 'invalid'
    }
    const txts = (await resolver.resolveTxt(rec.name)).map((chunks) => chunks.join(''))
    if (rec.kind === 'dkim') {
      const want = /p=([^;\s]+)/.exec(rec.value)?.[1]
      return txts.some((t) => /p=([^;\s]+)/.exec(compact(t))?.[1] === want) ? 'valid' : 'invalid'
    }
    const include = /include:(\S+)/.exec(rec.value)?.[1]
    return txts.some((t) => /^v=spf1\b/i.test(t) && t.split(/\s+/).includes(`include:${include}`))
      ? 'valid'
      : 'invalid'
  } catch {
    // NXDOMAIN, no data, timeout: the record is not (yet) there.
    return 'invalid'
  }
}
