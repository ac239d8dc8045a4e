/// <reference path="./types/libmime.d.ts" />
import { headerBlock } from './dsn.ts'

/** One header's unfolded value (the first occurrence), or undefined. */
function header(block: string, name: string): string | undefined {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im')
  const m = re.exec(block)
  return m ? m[1]!.replace(/\r\n([ \t])/g, '$1').trim() : undefined
}

/** What a summary needs from a message, read from its header block only (cheap at submit). */
let libmime: Promise<typeof import('libmime').default> | undefined

export async function summaryHeaders(raw: Uint8Array): Promise<{ messageId?: string; subject?: string }> {
  const block = headerBlock(raw)
  const id = header(block, 'Message-ID')
  const m = id ? /<([^<>\s]+)>/.exec(id) : null
  const subject = header(block, 'Subject')
  let decoded: string | undefined
  if (subject !== undefined) {
    // Raw 8-bit headers are UTF-8 in practice (RFC 6532); encoded words are decoded by libmime.
    const utf8 = Buffer.from(subject, 'latin1').toString('utf8')
    decoded = utf8
    if (utf8.includes('=?')) {
      // Loaded when a subject has encoded words, not at start.
      libmime ??= import('libmime').then((m) => m.default)
      try {
        decoded = (await libmime).decodeWords(utf8)
      } catch {
        decoded = utf8
      }
    }
  }
  return {
    ...(m ? { messageId: m[1] } : id ? { messageId: id } : {}),
    ...(decoded !== undefined ? { subject: decoded.slice(0, 998) } : {}),
  }
}
