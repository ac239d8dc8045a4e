import { headerValues } from './mail-headers.ts'

/** More trace headers than this and a message is not forwarded again (as Postfix's hopcount_limit). */
export const MAX_HOPS = 50

/**
 * Why a message must not be forwarded from `mailbox`, or null: it already passed this mailbox
 * (a `Delivered-To:` naming it: a forwarding loop), or it has made too many hops.
 */
export function forwardRefusal(block: string, mailbox: string): string | null {
  const delivered = headerValues(block, 'Delivered-To').map((v) => v.toLowerCase())
  if (delivered.includes(mailbox)) return `forwarding loop: the message was already delivered to ${mailbox}`
  const hops = delivered.length + headerValues(block, 'Received').length
  if (hops >= MAX_HOPS) return `too many hops (${hops})`
  return null
}

/** The copy: the original bytes with one `Delivered-To:` trace header in front (the loop guard). */
export function forwardCopy(raw: Uint8Array, mailbox: string): Buffer {
  return Buffer.concat([Buffer.from(`Delivered-To: ${mailbox}\r\n`), raw])
}
