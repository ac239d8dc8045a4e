/// <reference path="./types/libmime.d.ts" />
export interface ParsedMessage {
  /** Every header, in order, as [lower-case name, unfolded value with encoded words decoded]. */
  headers: [string, string][]
  from?: string
  to?: string
  cc?: string
  subject?: string
  date?: string
  text?: string
  html?: string
  /** Every attachment part, inline ones included; `index` is its number in …/attachments/<n>. */
  attachments: {
    index: number
    filename?: string
    contentType: string
    size: number
    contentId?: string
    inline: boolean
  }[]
  /** Set when the message could not be parsed: the view then holds its headers only. */
  parseError?: string
}

async function parse(raw: Uint8Array) {
  // Loaded on first use: one-shot CLI commands never pay for mailparser.
  const { simpleParser } = await import('mailparser')
  return simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
    skipImageLinks: true,
    skipTextToHtml: true,
  })
}

/** A raw header value, readable: 8-bit bytes as UTF-8 (RFC 6532), RFC 2047 encoded words decoded. */
async function decodeHeader(value: string): Promise<string> {
  const utf8 = Buffer.from(value, 'latin1').toString('utf8')
  if (!utf8.includes('=?')) return utf8
  const libmime = (await import('libmime')).default
  try {
    return libmime.decodeWords(utf8)
  } catch {
    return utf8
  }
}

/** The header block alone, read without mailparser: what a message that cannot be parsed still shows. */
async function headersOnly(raw: Uint8Array, parseError: string): Promise<ParsedMessage> {
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 1024 * 1024)).toString(
    'latin1',
  )
  const end = text.search(/\r?\n\r?\n/)
  const headers: [string, string][] = []
  for (const line of (end < 0 ? text : text.slice(0, end)).split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim()
    headers.push([line.slice(0, colon).trim().toLowerCase(), await decodeHeader(value)])
  }
  const first = (name: string) => headers.find(([k]) => k === name)?.[1]
  const view: ParsedMessage = { headers, attachments: [], parseError }
  for (const name of ['from', 'to', 'cc', 'subject'] as const) {
    const v = first(name)
    if (v !== undefined) view[name] = v
  }
  const date = first('date')
  if (date && !Number.isNaN(Date.parse(date))) view.date = new Date(date).toISOString()
  return view
}

/**
 * A captured message as the admin API shows it: parsed with mailparser. A message mailparser refuses
 * (too many parts, a header block past 1 MiB) still shows its headers, with `parseError` saying why.
 */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  let m: Awaited<ReturnType<typeof parse>>
  try {
    m = await parse(raw)
  } catch (e) {
    return headersOnly(raw, e instanceof Error ? e.message : String(e))
  }
  const addr = (a: typeof m.from | typeof m.to) =>
    a === undefined ? undefined : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text
  const headers: [string, string][] = []
  for (const h of m.headerLines)
    headers.push([
      h.key,
      await decodeHeader(
        h.line
          .slice(h.line.indexOf(':') + 1)
          .replace(/\r?\n(?=[ \t])/g, '')
          .trim(),
      ),
    ])
  return {
    headers,
    ...(m.from ? { from: addr(m.from) } : {}),
    ...(m.to ? { to: addr(m.to) } : {}),
    ...(m.cc ? { cc: addr(m.cc) } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.date ? { date: m.date.toISOString() } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.html !== false && m.html !== undefined ? { html: m.html } : {}),
    attachments: m.attachments.map((a, index) => ({
      index,
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      size: a.size,
      ...(a.contentId ? { contentId: a.contentId.replace(/^<|>$/g, '') } : {}),
      inline: a.contentDisposition === 'inline',
    })),
  }
}

/** Attachment part `n` (as numbered by parseMessage) with its decoded bytes, or null. */
export async function attachmentOf(
  raw: Uint8Array,
  n: number,
): Promise<{ filename?: string; contentType: string; content: Buffer } | null> {
  // A message that cannot be parsed has no attachments to give (its view lists none).
  const a = (await parse(raw).catch(() => null))?.attachments[n]
  if (!a) return null
  return { ...(a.filename ? { filename: a.filename } : {}), contentType: a.contentType, content: a.content }
}
