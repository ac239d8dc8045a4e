import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface Received {
  from: string
  to: string[]
  raw: string
}

/**
 * A local SMTP server standing in for the smarthost in relay tests. `answer` decides each RCPT:
 * undefined accepts; a number and text refuses with that reply (4xx temporary, 5xx permanent).
 */
export async function startSink(answer: (rcpt: string, attempt: number) => [number, string] | undefined) {
  const received: Received[] = []
  const attempts = new Map<string, number>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      const n = (attempts.get(address.address) ?? 0) + 1
      attempts.set(address.address, n)
      const a = answer(address.address, n)
      if (!a) return cb()
      cb(Object.assign(new Error(a[1]), { responseCode: a[0] }))
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString(),
        })
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    received,
    attempts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
