import { describe, expect, it } from 'vitest'
import { attachmentDisposition, contentSecurityHeaders } from './content-headers.ts'

describe('contentSecurityHeaders', () => {
  it('sandboxes, forbids sniffing, and allows data: images only when asked', () => {
    expect(contentSecurityHeaders()).toEqual({
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'X-Content-Type-Options': 'nosniff',
    })
    expect(contentSecurityHeaders({ images: true })['Content-Security-Policy']).toBe(
      "sandbox; default-src 'none'; img-src data:",
    )
  })
  it('makes a download an attachment, the name safe in both forms', () => {
    expect(contentSecurityHeaders({ download: 'a.eml' })['Content-Disposition']).toBe(
      `attachment; filename="a.eml"; filename*=UTF-8''a.eml`,
    )
    expect(attachmentDisposition('rés"umé\\ (1).pdf')).toBe(
      `attachment; filename="r_s_um__ (1).pdf"; filename*=UTF-8''r%C3%A9s%22um%C3%A9%5C%20%281%29.pdf`,
    )
    expect(attachmentDisposition('x\r\nSet-Cookie: a=b')).toBe(
      `attachment; filename="x__Set-Cookie: a=b"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db`,
    )
  })
})
