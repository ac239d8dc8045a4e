/**
 * Headers for content a sender wrote (a message's HTML or text, its raw source, an attachment) served
 * from the server's own origin: a browser that opens it runs nothing as the server (the CSP sandbox
 * gives it an opaque origin, `default-src 'none'` loads nothing), never sniffs it into something
 * runnable, and, with `download`, saves it instead of showing it.
 *
 * `images`: inline `data:` images may show (HTML content); nothing is fetched from anywhere.
 * `download`: the file name for `Content-Disposition: attachment` (an ASCII fallback and the exact
 * name in RFC 5987 form).
 */
export function contentSecurityHeaders(
  opts: { images?: boolean; download?: string } = {},
): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Security-Policy': `sandbox; default-src 'none'${opts.images ? '; img-src data:' : ''}`,
    'X-Content-Type-Options': 'nosniff',
  }
  if (opts.download !== undefined) h['Content-Disposition'] = attachmentDisposition(opts.download)
  return h
}

/** `attachment; filename="…"; filename*=UTF-8''…`: quotes, backslashes and non-ASCII made `_` in the fallback. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`
}
