import { describe, expect, it } from 'vitest'
import { periodOf } from '../routes/analysis.ts'
import { checkRecord, type Resolver } from './dns.ts'
import { eventsFor } from './events.ts'
import { periodStart } from './sends.ts'
import { trackHtml, trackingTokens } from './tracking.ts'

const tokens = trackingTokens('k'.repeat(40))

describe('tracking', () => {
  it('rewrites http(s) links only, keeps the rest, and ends the body with the pixel', () => {
    const html =
      '<html><body><p><a href="https://a.example/x?q=1&amp;r=2">a</a> <a href="mailto:x@y.z">m</a> <a href="#top">t</a></p></body></html>'
    const out = trackHtml(html, {
      base: 'https://l.example',
      sendId: 's1',
      clicks: true,
      opens: true,
      tokens,
    })
    const hrefs = [...out.matchAll(/href="([^"]+)"/g)].map((m) => m[1])
    expect(hrefs[0]).toMatch(/^https:\/\/l\.example\/t\/c\/[\w-]+\.[\w-]+$/)
    expect(hrefs.slice(1)).toEqual(['mailto:x@y.z', '#top'])
    expect(tokens.readClick(hrefs[0]!.split('/t/c/')[1]!)).toEqual({
      sendId: 's1',
      url: 'https://a.example/x?q=1&r=2',
    })
    expect(out).toMatch(/<img src="https:\/\/l\.example\/t\/o\/[\w.-]+" [^>]*><\/body><\/html>$/)
  })
  it('appends the pixel to a fragment, and leaves HTML alone when nothing is tracked', () => {
    expect(trackHtml('<p>x</p>', { base: 'b', sendId: 's', clicks: false, opens: true, tokens })).toMatch(
      /^<p>x<\/p><img /,
    )
    expect(trackHtml('<p>x</p>', { base: 'b', sendId: 's', clicks: false, opens: false, tokens })).toBe(
      '<p>x</p>',
    )
  })
  it('tokens: each kind reads only its own, and a changed byte is refused', () => {
    const o = tokens.open('s1')
    expect(tokens.readOpen(o)).toBe('s1')
    expect(tokens.readClick(o)).toBeNull()
    expect(tokens.readOpen(`${o.slice(0, -1)}${o.endsWith('A') ? 'B' : 'A'}`)).toBeNull()
    expect(tokens.readOpen('x.y.z')).toBeNull()
    expect(trackingTokens('other'.repeat(8)).readOpen(o)).toBeNull()
  })
})

describe('DNS checks', () => {
  const resolver = (txt: Record<string, string[][]>, cname: Record<string, string[]> = {}): Resolver => ({
    resolveTxt: async (n) =>
      txt[n] ?? Promise.reject(Object.assign(new Error('ENODATA'), { code: 'ENODATA' })),
    resolveCname: async (n) =>
      cname[n] ?? Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })),
  })
  const dkim = {
    kind: 'dkim',
    name: 's._domainkey.d.example',
    type: 'TXT',
    value: 'v=DKIM1; k=rsa; p=ABC+/=',
  } as const
  it('finds a DKIM key split across strings, or with other spacing; refuses another key', async () => {
    expect(await checkRecord(resolver({ [dkim.name]: [['v=DKIM1; k=rsa; ', 'p=ABC+/=']] }), dkim)).toBe(
      'valid',
    )
    expect(await checkRecord(resolver({ [dkim.name]: [['v=DKIM1;k=rsa;p=ABC+/=']] }), dkim)).toBe('valid')
    expect(await checkRecord(resolver({ [dkim.name]: [['v=DKIM1; p=OTHER']] }), dkim)).toBe('invalid')
    expect(await checkRecord(resolver({}), dkim)).toBe('invalid')
  })
  it('needs the SPF include in a v=spf1 record, and the CNAME target (any case, trailing dot)', async () => {
    const spf = {
      kind: 'spf',
      name: 'd.example',
      type: 'TXT',
      value: 'v=spf1 include:_spf.t.example ~all',
    } as const
    expect(
      await checkRecord(resolver({ 'd.example': [['v=spf1 mx include:_spf.t.example -all']] }), spf),
    ).toBe('valid')
    expect(await checkRecord(resolver({ 'd.example': [['include:_spf.t.example']] }), spf)).toBe('invalid')
    const cn = { kind: 'link', name: 'l.d.example', type: 'CNAME', value: 't.example' } as const
    expect(await checkRecord(resolver({}, { 'l.d.example': ['T.Example.'] }), cn)).toBe('valid')
    expect(await checkRecord(resolver({}, { 'l.d.example': ['other.example'] }), cn)).toBe('invalid')
  })
})

describe('pipeline events → send events', () => {
  const e = (type: Parameters<typeof eventsFor>[0]['type'], response?: string) =>
    eventsFor({ type, messageId: 'm', plugin: 'smtpd', at: 0, ...(response ? { response } : {}) })
  it('maps each delivery event', () => {
    expect(e('submitted')).toEqual([['processed', '']])
    expect(e('deferred', '451 later')).toEqual([['queued', '451 later']])
    expect(e('delivered', '250 ok')).toEqual([
      ['sent', ''],
      ['delivered', '250 ok'],
    ])
    expect(e('bounced', '550 no')).toEqual([['bounced', '550 no']])
    expect(e('discarded')).toEqual([['rejected', 'discarded by the operator']])
  })
})

describe('periods', () => {
  const now = Date.UTC(2026, 5, 10, 12)
  it('reads seconds or milliseconds, echoes the unit, defaults to 31 days, bounds the span', () => {
    expect(periodOf({}, now)).toEqual({
      from: now - 31 * 86_400_000,
      to: now,
      period: { from: (now - 31 * 86_400_000) / 1000, to: now / 1000 },
    })
    expect(periodOf({ from: String(now - 1000), to: String(now) }, now).period).toEqual({
      from: now - 1000,
      to: now,
    })
    expect(periodOf({ from: String(now / 1000 - 60) }, now)).toMatchObject({ from: now - 60_000, to: now })
    expect(() => periodOf({ from: String(now), to: String(now - 1) }, now)).toThrow('after to')
    expect(() => periodOf({ from: '0' }, now)).toThrow('at most 365 days')
  })
  it('the plan period starts on the first of the month, UTC', () => {
    expect(periodStart(Date.UTC(2026, 0, 31, 23, 59))).toBe(Date.UTC(2026, 0, 1))
    expect(periodStart(Date.UTC(2026, 1, 1))).toBe(Date.UTC(2026, 1, 1))
  })
})
