import { contentSecurityHeaders } from '@mailfront/core'

/**
 * Headers for captured content served from mailfront's origin (an attachment, a message's source):
 * never run, never sniffed into something runnable, always downloaded when navigated to. The core's
 * contentSecurityHeaders, the one helper every place serving sender content uses (a plugin's routes too, through the core).
 */
export function attachmentHeaders(contentType: string, filename: string): Record<string, string> {
  return { 'Content-Type': contentType, ...contentSecurityHeaders({ download: filename }) }
}
