/**
 * Headers for captured content served from mailfront's origin (an attachment, a message's source):
 * never run, never sniffed into something runnable, always downloaded when navigated to.
 */
export function attachmentHeaders(contentType: string, filename: string): Record<string, string> {
  // A quoted ASCII fallback and the exact name in RFC 5987 form.
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return {
    'Content-Type': contentType,
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'X-Content-Type-Options': 'nosniff',
  }
}
