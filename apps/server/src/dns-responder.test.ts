import { createSocket } from 'node:dgram'
import { promises as dns } from 'node:dns'
import { connect, createServer, type Server } from 'node:net'
import { silentLogger } from '@mailfront/core'
import * as packet from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  fitUdp,
  isPrivateSource,
  isSelf,
  type RunningDns,
  resolvConfServers,
  startDnsResponder,
} from './dns-responder.ts'

// The e2e test (test/client-hostnames.test.ts) covers the server's own use; here, what it answers.

let responder: RunningDns
let deadPort: number
let tcpUpstream: Server
const resolver = () => {
  const r = new dns.Resolver({ timeout: 4000, tries: 1 })
  r.setServers([`127.0.0.1:${responder.port}`])
  return r
}

beforeAll(async () => {
  // An upstream that never answers (a bound UDP port, silent), and a TCP one that answers 192.0.2.9.
  const dead = createSocket('udp4')
  await new Promise<void>((r) => dead.bind(0, '127.0.0.1', r))
  deadPort = dead.address().port
  tcpUpstream = createServer((s) =>
    s.once('data', (b: Buffer) => {
      const q = packet.streamDecode(b)
      s.end(
        packet.streamEncode({
          type: 'response',
          id: q.id,
          questions: q.questions,
          answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 5, data: '192.0.2.9' }],
        }),
      )
    }),
  )
  await new Promise<void>((r) => tcpUpstream.listen(0, '127.0.0.1', r))
  responder = await startDnsResponder({
    host: '127.0.0.1',
    port: 0,
    names: ['api.example.test'],
    answer: ['192.0.2.1', '2001:db8::1'],
    upstream: [{ address: '127.0.0.1', port: deadPort }],
    log: silentLogger,
    upstreamTimeoutMs: 200,
  })
})
afterAll(async () => {
  await responder.close()
  tcpUpstream.close()
})

describe('the DNS responder', () => {
  it('answers A and AAAA from the answer list, authoritatively; other types are empty', async () => {
    expect(await resolver().resolve4('api.example.test')).toEqual(['192.0.2.1'])
    expect(await resolver().resolve6('api.example.test.')).toEqual(['2001:db8::1'])
    await expect(resolver().resolveMx('api.example.test')).rejects.toMatchObject({ code: 'ENODATA' })
  })

  it('answers SERVFAIL when no upstream answers in time', async () => {
    await expect(resolver().resolve4('elsewhere.test')).rejects.toMatchObject({ code: 'ESERVFAIL' })
  })

  it('forwards a TCP query over TCP', async () => {
    const r = await startDnsResponder({
      host: '127.0.0.1',
      port: 0,
      names: [],
      answer: [],
      upstream: [{ address: '127.0.0.1', port: (tcpUpstream.address() as { port: number }).port }],
      log: silentLogger,
    })
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const s = connect(r.port, '127.0.0.1', () =>
          s.write(
            packet.streamEncode({ type: 'query', id: 3, questions: [{ type: 'A', name: 'far.test' }] }),
          ),
        )
        s.once('data', (b: Buffer) => {
          s.end()
          resolve(b)
        })
        s.on('error', reject)
      })
      expect(packet.streamDecode(reply).answers).toEqual([
        expect.objectContaining({ name: 'far.test', data: '192.0.2.9' }),
      ])
    } finally {
      await r.close()
    }
  })

  it("reads resolv.conf's nameservers", () => {
    expect(
      resolvConfServers('# x\nnameserver 10.0.0.2\nsearch lan\nnameserver fe80::1%eth0\nnameserver bogus\n'),
    ).toEqual([
      { address: '10.0.0.2', port: 53 },
      { address: 'fe80::1', port: 53 },
    ])
  })

  // Review of #26, item 1: not an open resolver, nothing to amplify with.
  it('forwards only for loopback and private sources', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.0.9'])
      expect(isPrivateSource(a), a).toBe(true)
    for (const a of ['::1', 'fd00::1', 'fc12::9', 'fe80::1%eth0', '::ffff:10.0.0.1'])
      expect(isPrivateSource(a), a).toBe(true)
    for (const a of ['8.8.8.8', '172.32.0.1', '192.0.2.1', '2001:db8::1', '::ffff:8.8.8.8', 'x'])
      expect(isPrivateSource(a), a).toBe(false)
  })

  const udpQuery = (port: number, q: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const s = createSocket('udp4')
      s.on('error', reject)
      s.once('message', (m) => {
        s.close()
        resolve(m)
      })
      s.send(q, port, '127.0.0.1')
    })
  const query = (type: string, name: string, id = 7) =>
    packet.encode({
      type: 'query',
      id,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type, name } as packet.Question],
    })

  it('answers ANY with NOTIMP (RFC 8482)', async () => {
    const reply = packet.decode(await udpQuery(responder.port, query('ANY', 'api.example.test')))
    expect(reply).toMatchObject({ id: 7, type: 'response', rcode: 'NOTIMP', answers: [] })
  })

  it('never answers a packet with the QR bit set, not even a malformed one', async () => {
    const r = await startDnsResponder({
      host: '127.0.0.1',
      port: 0,
      names: [],
      answer: [],
      upstream: [],
      log: silentLogger,
    })
    try {
      const s = createSocket('udp4')
      const got: Buffer[] = []
      s.on('message', (m) => got.push(m))
      await new Promise<void>((res) => s.bind(0, '127.0.0.1', res))
      const response = packet.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'x.test' }] })
      const junk = Buffer.from([0, 2, 0x80, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1])
      s.send(response, r.port, '127.0.0.1')
      s.send(junk, r.port, '127.0.0.1')
      // A query sent after them is answered: packets are handled in order, so the first two got nothing.
      s.send(query('A', 'x.test', 3), r.port, '127.0.0.1')
      await new Promise<void>((res) => s.once('message', () => res()))
      s.close()
      expect(got.map((m) => m.readUInt16BE(0))).toEqual([3])
    } finally {
      await r.close()
    }
  })

  it('truncates a UDP reply bigger than 512 bytes (or the EDNS size) with TC', () => {
    const q = query('TXT', 'big.test')
    const big = packet.encode({
      type: 'response',
      id: 7,
      flags: packet.RECURSION_AVAILABLE,
      questions: [{ type: 'TXT', name: 'big.test' }],
      answers: Array.from({ length: 8 }, () => ({ type: 'TXT', name: 'big.test', data: 'x'.repeat(100) })),
    })
    expect(big.length).toBeGreaterThan(512)
    const cut = fitUdp(big, q)
    expect(cut.length).toBeLessThanOrEqual(512)
    expect(packet.decode(cut)).toMatchObject({
      id: 7,
      flag_tc: true,
      flag_ra: true,
      answers: [],
      questions: [{ type: 'TXT', name: 'big.test' }],
    })
    const edns = packet.encode({
      type: 'query',
      id: 7,
      questions: [{ type: 'TXT', name: 'big.test' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as packet.Answer],
    })
    expect(fitUdp(big, edns)).toBe(big)
  })

  it('drops the queries of a source over its rate', async () => {
    const r = await startDnsResponder({
      host: '127.0.0.1',
      port: 0,
      names: ['api.example.test'],
      answer: ['192.0.2.1'],
      upstream: [],
      log: silentLogger,
      rate: { burst: 3, perSecond: 0.001 },
    })
    try {
      const s = createSocket('udp4')
      const got: number[] = []
      await new Promise<void>((res) => s.bind(0, '127.0.0.1', res))
      const three = new Promise<void>((res) =>
        s.on('message', (m) => {
          got.push(m.readUInt16BE(0))
          if (got.length === 3) res()
        }),
      )
      for (let id = 1; id <= 5; id++) s.send(query('A', 'api.example.test', id), r.port, '127.0.0.1')
      await three
      while (r.dropped() < 2) await new Promise((res) => setTimeout(res, 10))
      s.close()
      expect(got).toEqual([1, 2, 3])
      expect(r.dropped()).toBe(2)
    } finally {
      await r.close()
    }
  })

  // Review of #26, item 2: on a wildcard address, resolv.conf naming this machine is not an upstream.
  it('never forwards to itself when listening on a wildcard address', async () => {
    expect(isSelf({ address: '127.0.0.1', port: 53 }, '0.0.0.0', 53, new Set())).toBe(true)
    expect(isSelf({ address: '::1', port: 53 }, '::', 53, new Set())).toBe(true)
    // Docker's embedded resolver and systemd-resolved's stub are other servers, not this one.
    expect(isSelf({ address: '127.0.0.11', port: 53 }, '0.0.0.0', 53, new Set())).toBe(false)
    expect(isSelf({ address: '127.0.0.53', port: 53 }, '0.0.0.0', 53, new Set())).toBe(false)
    expect(isSelf({ address: '10.0.0.5', port: 53 }, '::', 53, new Set(['10.0.0.5']))).toBe(true)
    expect(isSelf({ address: '10.0.0.5', port: 53 }, '0.0.0.0', 53, new Set())).toBe(false)
    expect(isSelf({ address: '127.0.0.1', port: 5353 }, '0.0.0.0', 53, new Set())).toBe(false)
    expect(isSelf({ address: '127.0.0.2', port: 53 }, '127.0.0.1', 53, new Set())).toBe(false)
    // A free port, then a responder on 0.0.0.0 there whose first upstream is itself.
    const probe = createSocket('udp4')
    await new Promise<void>((res) => probe.bind(0, '127.0.0.1', res))
    const port = probe.address().port
    await new Promise<void>((res) => probe.close(() => res()))
    const good = createSocket('udp4')
    good.on('message', (m, from) => {
      const q = packet.decode(m)
      const answers = [
        { type: 'A', name: q.questions![0]!.name, ttl: 5, data: '192.0.2.7' },
      ] as packet.Answer[]
      good.send(
        packet.encode({ type: 'response', id: q.id, questions: q.questions, answers }),
        from.port,
        from.address,
      )
    })
    await new Promise<void>((res) => good.bind(0, '127.0.0.1', res))
    const r = await startDnsResponder({
      host: '0.0.0.0',
      port,
      names: [],
      answer: [],
      upstream: [
        { address: '127.0.0.1', port },
        { address: '127.0.0.1', port: good.address().port },
      ],
      log: silentLogger,
      upstreamTimeoutMs: 2000,
    })
    try {
      const reply = packet.decode(await udpQuery(r.port, query('A', 'far.test')))
      expect((reply as { rcode?: string }).rcode).toBe('NOERROR')
      expect(reply.answers).toEqual([expect.objectContaining({ data: '192.0.2.7' })])
    } finally {
      await r.close()
      good.close()
    }
  })
})
