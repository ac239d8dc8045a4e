import type { Envelope } from '@mailfront/core'

/** The most search text kept per message: a huge body is searched in its first part only. */
export const SEARCH_TEXT_MAX = 256 * 1024

/** Lower-cased, whitespace-collapsed: what `?q=` terms are looked up in (a plain substring match). */
export const normalise = (s: string) => s.toLowerCase().replace(/\s+/g, ' ')

/**
 * What full-text search reads, computed once at capture: the envelope, every header (decoded), the
 * subject and addresses, the text body, the HTML body's text, and attachment names. Stored in the
 * message row, so every backend (memory, SQLite, PostgreSQL) searches it with the same `contains`.
 */
export async function searchText(raw: Uint8Array, envelope: Envelope): Promise<string> {
  const parts: string[] = [envelope.from, ...envelope.to]
  try {
    // Loaded on first capture: one-shot CLI commands never pay for mailparser.
    const { simpleParser } = await import('mailparser')
    const m = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
      skipImageLinks: true,
      skipTextToHtml: true,
    })
    const addr = (a: typeof m.from | typeof m.to) =>
      a === undefined ? '' : (Array.isArray(a) ? a : [a]).map((x) => x.text).join(' ')
    parts.push(m.subject ?? '', addr(m.from), addr(m.to), addr(m.cc))
    for (const h of m.headerLines) parts.push(h.line)
    parts.push(m.text ?? '')
    if (typeof m.html === 'string') parts.push(htmlText(m.html))
    for (const a of m.attachments) parts.push(a.filename ?? '', a.contentType)
  } catch {
    // Unparseable MIME: the envelope and the raw header block still search.
    parts.push(Buffer.from(raw.subarray(0, 64 * 1024)).toString('latin1'))
  }
  return normalise(parts.filter(Boolean).join('\n')).slice(0, SEARCH_TEXT_MAX)
}

/** An HTML body's visible words: tags, scripts and styles dropped, common entities decoded. */
function htmlText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

/** `?q=` as search terms: every term must occur (quoted phrases kept whole). */
export function searchTerms(q: string): string[] {
  const out: string[] = []
  for (const m of q.matchAll(/"([^"]+)"|(\S+)/g)) {
    const t = normalise((m[1] ?? m[2] ?? '').trim())
    if (t) out.push(t)
  }
  return out
}
