import addressparser from 'nodemailer/lib/addressparser'

// Reading the few headers local delivery needs from a message's header block (never its body).

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
export function addressesIn(block: string, names: string[]): string[] {
  const out: string[] = []
  const walk = (list: ReturnType<typeof addressparser>) => {
    for (const a of list) {
      if ('group' in a && a.group) walk(a.group)
      else if (a.address) out.push(a.address.toLowerCase())
    }
  }
  for (const n of names) for (const v of headerValues(block, n)) walk(addressparser(v))
  return out
}
