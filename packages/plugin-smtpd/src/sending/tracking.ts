import { createHmac, timingSafeEqual } from 'node:crypto'
import { parse } from 'node-html-parser'

/**
 * Tracking tokens carry what they stand for (the send, and the link for a click), signed with a
 * key derived from the server secret: nothing to store per link, and a forged token is refused.
 */
export function trackingTokens(secret: string) {
  const key = createHmac('sha256', secret).update('smtpd tracking v1').digest()
  const sig = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16)
  const make = (kind: 'o' | 'c', payload: string) => {
    const body = Buffer.from(`${kind}\n${payload}`).toString('base64url')
    return `${body}.${sig(body).toString('base64url')}`
  }
  const read = (kind: 'o' | 'c', token: string): string | null => {
    const [body, mac, extra] = token.split('.')
    if (!body || !mac || extra !== undefined) return null
    // Compared as text: base64 leaves spare bits in its last character, so decoding would accept
    // several spellings of one signature.
    const given = Buffer.from(mac)
    const want = Buffer.from(sig(body).toString('base64url'))
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null
    const text = Buffer.from(body, 'base64url').toString()
    return text.startsWith(`${kind}\n`) ? text.slice(2) : null
  }
  return {
    open: (sendId: string) => make('o', sendId),
    click: (sendId: string, url: string) => make('c', `${sendId}\n${url}`),
    readOpen: (token: string) => read('o', token),
    readClick: (token: string): { sendId: string; url: string } | null => {
      const v = read('c', token)
      const i = v?.indexOf('\n') ?? -1
      return v && i > 0 ? { sendId: v.slice(0, i), url: v.slice(i + 1) } : null
    },
  }
}
export type TrackingTokens = ReturnType<typeof trackingTokens>

/**
 * Rewrite the HTML for tracking: every http(s) link through `<base>/t/c/<token>` when clicks are
 * tracked, and a 1×1 pixel `<base>/t/o/<token>` at the end of the body when opens are.
 */
export function trackHtml(
  html: string,
  o: { base: string; sendId: string; clicks: boolean; opens: boolean; tokens: TrackingTokens },
): string {
  if (!html || (!o.clicks && !o.opens)) return html
  const root = parse(html, { comment: true })
  if (o.clicks)
    for (const a of root.querySelectorAll('a[href]')) {
      const href = a.getAttribute('href')!.trim()
      if (/^https?:\/\//i.test(href))
        a.setAttribute('href', `${o.base}/t/c/${o.tokens.click(o.sendId, href)}`)
    }
  if (o.opens) {
    const pixel = `<img src="${o.base}/t/o/${o.tokens.open(o.sendId)}" width="1" height="1" alt="" style="display:none;border:0" />`
    const body = root.querySelector('body')
    if (body) body.insertAdjacentHTML('beforeend', pixel)
    else return `${root.toString()}${pixel}`
  }
  return root.toString()
}

/** The 1×1 transparent GIF the open pixel answers. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')
