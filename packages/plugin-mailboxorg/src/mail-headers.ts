import type addressparserType from 'nodemailer/lib/addressparser'

// Reading the few headers local delivery needs from a message's header block (never its body).
// nodemailer loads on first use, so one-shot CLI commands do not pay for it.

/** The header block (up to the first empty line), as latin1 so any byte survives. */
export function headerBlock(raw: Uint8Array): string {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  const end = buf.indexOf('\r\n\r\n')
  const alt = end < 0 ? buf.indexOf('\n\n') : -1
  return buf.subarray(0, end >= 0 ? end : alt >= 0 ? alt : buf.length).toString('latin1')
}

/** Every value of a header, unfolded and trimmed, in order. */
export function headerValues(block: string, name: string): string[] {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'gim')
  return [...block.matchAll(re)].map((m) => m[1]!.replace(/\r?\n([ \t])/g, '$1').trim())
}

/** The lower-cased addresses of these headers (groups flattened). */
export async function addressesIn(block: string, names: string[]): Promise<string[]> {
  const { default: addressparser } = await import('nodemailer/lib/addressparser')
  const out: string[] = []
  const walk = (list: ReturnType<typeof addressparserType>) => {
    for (const a of list) {
      if ('group' in a && a.group) walk(a.group)
      else if (a.address) out.push(a.address.toLowerCase())
    }
  }
  for (const n of names) for (const v of headerValues(block, n)) walk(addressparser(v))
  return out
}
