import { createSocket } from 'node:dgram'
import { promises as dns } from 'node:dns'
import { connect, createServer, type Server } from 'node:net'
import { silentLogger } from '@mailfront/core'
import * as packet from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningDns, resolvConfServers, startDnsResponder } from './dns-responder.ts'

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
})
