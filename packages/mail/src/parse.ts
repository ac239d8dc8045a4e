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

/** A captured message as the admin API shows it: parsed with mailparser. */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  const m = await parse(raw)
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
  const a = (await parse(raw)).attachments[n]
  if (!a) return null
  return { ...(a.filename ? { filename: a.filename } : {}), contentType: a.contentType, content: a.content }
}
