import { createSocket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeDns, startDnsStub } from '../test/fake-dns.ts'
import { startApp } from '../test/testkit.ts'
import { checkSpf, dnsResolver, type TxtResolver } from './spf.ts'

const MBO = { 'mailbox.org': ['v=spf1 ip4:80.241.56.0/21 ip6:2001:67c:2050::/48 -all'] }

describe('checkSpf', () => {
  it('finds a record that includes mailbox.org, following the include', async () => {
    const dns = fakeDns({
      ...MBO,
      'example.test': ['google-site-verification=x', 'v=spf1 include:mailbox.org -all'],
    })
    expect(await checkSpf(dns, 'example.test', 'mailbox.org')).toEqual({
      domain: 'example.test',
      status: 'ok',
      record: 'v=spf1 include:mailbox.org -all',
      records: ['v=spf1 include:mailbox.org -all'],
      mechanisms: ['include:mailbox.org', '-all'],
      all: '-all',
      includes_expected: true,
      expected_include: 'mailbox.org',
      dns_lookups: 1,
      errors: [],
    })
    expect(dns.queries).toEqual(['example.test', 'mailbox.org'])
  })

  it('reaches mailbox.org through a nested include and a redirect', async () => {
    const dns = fakeDns({
      ...MBO,
      'a.test': ['v=spf1 include:_spf.a.test ~all'],
      '_spf.a.test': ['v=spf1 redirect=_mail.a.test'],
      '_mail.a.test': ['v=spf1 include:mailbox.org -all'],
    })
    const r = await checkSpf(dns, 'a.test', 'mailbox.org')
    expect(r).toMatchObject({ status: 'ok', all: '~all', includes_expected: true, dns_lookups: 3 })
  })

  it('joins the strings of one TXT record', async () => {
    const dns: TxtResolver = { resolveTxt: async () => [['v=spf1 include:mail', 'box.org ~all']] }
    expect((await checkSpf(dns, 'x.test', 'mailbox.org')).record).toBe('v=spf1 include:mailbox.org ~all')
  })

  it('reports a record without mailbox.org as incomplete, and no record as missing', async () => {
    const dns = fakeDns({ 'b.test': ['v=spf1 mx a:relay.b.test ip4:192.0.2.1 ~all'], 'c.test': ['hello'] })
    expect(await checkSpf(dns, 'b.test', 'mailbox.org')).toMatchObject({
      status: 'incomplete',
      includes_expected: false,
      dns_lookups: 2,
      errors: [],
    })
    expect(await checkSpf(dns, 'c.test', 'mailbox.org')).toMatchObject({ status: 'missing', record: null })
    expect(await checkSpf(dns, 'nowhere.test', 'mailbox.org')).toMatchObject({
      status: 'missing',
      records: [],
    })
  })

  it('finds two records, unknown terms, a broken include and too many lookups invalid', async () => {
    const two = fakeDns({ 'd.test': ['v=spf1 -all', 'v=spf1 include:mailbox.org -all'] })
    expect(await checkSpf(two, 'd.test', 'mailbox.org')).toMatchObject({
      status: 'invalid',
      record: null,
      errors: ['d.test: 2 SPF records (RFC 7208 allows one)'],
    })
    const bad = fakeDns({ ...MBO, 'e.test': ['v=spf1 include:mailbox.org ipv4:1.2.3.4 -all'] })
    expect(await checkSpf(bad, 'e.test', 'mailbox.org')).toMatchObject({
      status: 'invalid',
      includes_expected: true,
      errors: ['e.test: unknown term "ipv4:1.2.3.4"'],
    })
    const broken = fakeDns({ 'f.test': ['v=spf1 include:gone.test include:mailbox.org -all'], ...MBO })
    expect((await checkSpf(broken, 'f.test', 'mailbox.org')).errors).toEqual([
      'gone.test: 0 SPF records (included from f.test)',
    ])
    const many = fakeDns({
      ...MBO,
      'g.test': [`v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.g.test`).join(' ')} -all`],
    })
    expect(await checkSpf(many, 'g.test', 'mailbox.org')).toMatchObject({
      status: 'invalid',
      dns_lookups: 11,
      errors: ['11 DNS lookups (RFC 7208 allows 10)'],
    })
  })

  it('stops at include loops', async () => {
    const dns = fakeDns({
      'h.test': ['v=spf1 include:i.test -all'],
      'i.test': ['v=spf1 include:h.test -all'],
    })
    expect(await checkSpf(dns, 'h.test', 'mailbox.org')).toMatchObject({
      status: 'incomplete',
      dns_lookups: 2,
    })
  })

  it('reports a DNS failure as status error, not as a JSON-RPC error', async () => {
    const dns: TxtResolver = {
      resolveTxt: async () => {
        throw Object.assign(new Error('queryTxt ETIMEOUT'), { code: 'ETIMEOUT' })
      },
    }
    expect(await checkSpf(dns, 'j.test', 'mailbox.org')).toMatchObject({
      status: 'error',
      errors: ['j.test: DNS lookup failed (ETIMEOUT)'],
    })
  })
})

describe('domain.validate.spf over node:dns and a DNS server on 127.0.0.1', () => {
  let dns: Awaited<ReturnType<typeof startDnsStub>>
  beforeAll(async () => {
    dns = await startDnsStub({
      ...MBO,
      'domain1.test': ['v=spf1 include:mailbox.org ~all'],
      'domain2.test': ['v=spf1 a -all'],
    })
  })
  afterAll(() => dns.close())

  it('node:dns on the configured server answers as the stub says', async () => {
    const r = await checkSpf(dnsResolver([dns.server]), 'domain1.test', 'mailbox.org')
    expect(r).toMatchObject({ status: 'ok', record: 'v=spf1 include:mailbox.org ~all', dns_lookups: 1 })
    expect((await checkSpf(dnsResolver([dns.server]), 'domain4.test', 'mailbox.org')).status).toBe('missing')
    // A port where no DNS server listens: ECONNREFUSED, reported as status error.
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const closed = `127.0.0.1:${socket.address().port}`
    await new Promise<void>((resolve) => socket.close(() => resolve()))
    expect(await checkSpf(dnsResolver([closed]), 'domain1.test', 'mailbox.org')).toMatchObject({
      status: 'error',
      errors: ['domain1.test: DNS lookup failed (ECONNREFUSED)'],
    })
  })

  it('through the API, with MAILFRONT_MAILBOXORG_DNS_SERVERS and _SPF_INCLUDE', async () => {
    const t = await startApp({}, { dns_servers: dns.server })
    const s = await t.login('test_account', '123456')
    expect(await t.ok('domain.validate.spf', { domain: 'domain1.test' }, s)).toMatchObject({
      domain: 'domain1.test',
      status: 'ok',
      includes_expected: true,
    })
    expect(await t.ok('domain.validate.spf', { domain: 'domain2.test' }, s)).toMatchObject({
      status: 'incomplete',
      mechanisms: ['a', '-all'],
    })
    // Not this account's: code 2, as for any name outside the session's scope, existing or not.
    expect((await t.call('domain.validate.spf', { domain: 'other.test' }, s)).error?.code).toBe(2)
    const own = await startApp({}, { dns_servers: dns.server, spf_include: 'example.net' })
    const s2 = await own.login('test_account', '123456')
    expect(await own.ok('domain.validate.spf', { domain: 'domain1.test' }, s2)).toMatchObject({
      status: 'incomplete',
      expected_include: 'example.net',
    })
  })

  it('refuses a DNS server option that is not an address', async () => {
    await expect(startApp({}, { dns_servers: 'dns.example' })).rejects.toThrow(
      'MAILFRONT_MAILBOXORG_DNS_SERVERS must list IP addresses (ip or ip:port), got "dns.example"',
    )
  })
})
