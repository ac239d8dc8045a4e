import { createSocket } from 'node:dgram'
import * as packet from 'dns-packet'
import type { TxtResolver } from '../src/spf.ts'

// For the tests: DNS without the internet. `fakeDns` is an injected resolver; `startDnsStub` a real
// DNS server on 127.0.0.1 (UDP, a free port) answering TXT queries from a table, for node:dns.

type Zone = Record<string, string[]>

const notFound = (name: string) =>
  Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })

export function fakeDns(zone: Zone): TxtResolver & { queries: string[] } {
  const queries: string[] = []
  return {
    queries,
    async resolveTxt(name) {
      queries.push(name)
      const records = zone[name.toLowerCase()]
      if (!records) throw notFound(name)
      return records.map((r) => [r])
    },
  }
}

/** A DNS server answering TXT from the zone (NXDOMAIN otherwise). */
export async function startDnsStub(zone: Zone) {
  const socket = createSocket('udp4')
  socket.on('message', (msg, from) => {
    const q = packet.decode(msg)
    const question = q.questions?.[0]
    const name = question?.name.toLowerCase() ?? ''
    const records = zone[name]
    const rcode = records ? 'NOERROR' : 'NXDOMAIN'
    const answer = packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      rcode,
      questions: q.questions,
      answers:
        rcode === 'NOERROR' && question?.type === 'TXT'
          ? records!.map((r) => ({
              type: 'TXT' as const,
              name: question.name,
              ttl: 60,
              data: r.match(/.{1,255}/g) ?? [''],
            }))
          : [],
    } as packet.Packet)
    socket.send(answer, from.port, from.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
