export interface ParsedMessage {
  /** Every header, in order, as [lower-case name, raw unfolded value]. */
  headers: [string, string][]
  from?: string
  to?: string
  cc?: string
  subject?: string
  date?: string
  text?: string
  html?: string
  attachments: { filename?: string; contentType: string; size: number; contentId?: string; inline: boolean }[]
}

/** A captured message as the admin API shows it: parsed with mailparser. */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  // Loaded on first use: one-shot CLI commands never pay for mailparser.
  const { simpleParser } = await import('mailparser')
  const m = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
    skipImageLinks: true,
    skipTextToHtml: true,
  })
  const addr = (a: typeof m.from | typeof m.to) =>
    a === undefined ? undefined : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text
  return {
    headers: m.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]),
    ...(m.from ? { from: addr(m.from) } : {}),
    ...(m.to ? { to: addr(m.to) } : {}),
    ...(m.cc ? { cc: addr(m.cc) } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.date ? { date: m.date.toISOString() } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.html !== false && m.html !== undefined ? { html: m.html } : {}),
    attachments: m.attachments.map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      size: a.size,
      ...(a.contentId ? { contentId: a.contentId } : {}),
      inline: a.contentDisposition === 'inline',
    })),
  }
}
