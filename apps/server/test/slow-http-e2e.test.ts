import { connect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insecureFetch, logLines, type ServerProcess, startServer } from './server-process.ts'
import { until } from './until.ts'

// slow@ over HTTP against the real `mailfront serve` process: SMTPD's send API waits before the
// pipeline accepts the message; when the HTTP client's socket is destroyed meanwhile, the wait ends at
// once and nothing is accepted (no message, no pipeline event), even after the clock passes the delay.

const SIM = 'simulator.mailfront.test'
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

let srv: ServerProcess | undefined
let token = ''
beforeAll(async () => {
  srv = await startServer({
    MAILFRONT_DEMO: 'on',
    MAILFRONT_CLOCK: 'movable',
    // Longer than the test: only the client going away (or the clock) can end the wait.
    MAILFRONT_MAIL_SIMULATOR_SLOW: '10m',
  })
  const r = await insecureFetch(`${srv.url}/oauth/token?grant_type=password`, {
    method: 'POST',
    headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
  })
  expect(r.status).toBe(200)
  token = JSON.parse(r.body.toString()).access_token
}, 60_000)
afterAll(() => {
  srv?.child.kill('SIGKILL')
})

const get = async (path: string, auth = false) => {
  const r = await insecureFetch(
    `${srv!.url}${path}`,
    auth ? { headers: { Authorization: `Bearer ${token}` } } : {},
  )
  expect(r.status).toBe(200)
  return JSON.parse(r.body.toString())
}
const body = (to: string) =>
  JSON.stringify({
    recipient_email_address: to,
    recipient_name: 'Sim',
    from_email_address: 'news@example.com',
    from_name: 'News',
    subject: 'Slow',
    content_text: 'Hello',
  })
/** POST /api/v1/email/send on a raw TLS socket, so the test can destroy it while the answer waits. */
function rawSend(to: string) {
  const { host, hostname, port } = new URL(srv!.url)
  const payload = body(to)
  const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false })
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => {
    answer += d
  })
  socket.on('error', () => undefined) // destroyed on purpose
  socket.write(
    `POST /api/v1/email/send HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  )
  return { socket, answer: () => answer }
}
const lines = (re: RegExp) =>
  logLines(srv!.output())
    .split('\n')
    .filter((l) => re.test(l))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('slow@ through SMTPD POST /api/v1/email/send', () => {
  it('the client gone while slow@ waits: abandoned at once, nothing accepted, even once the clock moves', async () => {
    const to = `slow+gone@${SIM}`
    const client = rawSend(to)
    await until(
      'the held submission',
      async () => lines(/mail held: slow@/),
      (l) => l.length === 1,
    )
    expect(client.answer()).toBe('') // no answer yet: it waits
    client.socket.destroy()
    const [abandoned] = await until(
      'the abandonment',
      async () => lines(/mail abandoned/),
      (l) => l.length === 1,
    )
    expect(abandoned).toMatchObject({
      plugin: 'smtpd',
      via: 'api',
      reason: '421 4.4.2 Client went away before acceptance',
      msg: 'mail abandoned while slow@ waited: never stored',
    })
    // The send SMTPD made before submitting ends rejected with the reason; the pipeline has nothing.
    const [send] = await get(`/api/v1/email/send/search?q=${encodeURIComponent(to)}`, true)
    expect(send).toMatchObject({ state: 'rejected', error: '421 4.4.2 Client went away before acceptance' })
    expect(
      (await get(`/api/v1/email/send/${send.send_id}/events`, true)).map((e: { type: string }) => e.type),
    ).toEqual(['accepted', 'rejected'])
    expect((await get(`/_mailfront/messages?to=${encodeURIComponent(to)}`)).total).toBe(0)
    // Past the delay: still nothing stored later, and no pipeline event (no `processed`, no `mail accepted`).
    const moved = await insecureFetch(`${srv!.url}/_mailfront/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advance: '10m' }),
    })
    expect(moved.status).toBe(200)
    expect((await get(`/_mailfront/messages?to=${encodeURIComponent(to)}`)).total).toBe(0)
    expect(lines(/"msg":"mail accepted"/)).toEqual([])
    expect(lines(/"msg":"mail abandoned/)).toHaveLength(1)
    await insecureFetch(`${srv!.url}/_mailfront/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reset: true }),
    })
  })

  it('the client still there: accepted (202) once the clock has moved past the delay', async () => {
    const to = `slow+kept@${SIM}`
    const client = rawSend(to)
    await until(
      'the held submission',
      async () => lines(/mail held: slow@/),
      (l) => l.length === 2,
    )
    const moved = await insecureFetch(`${srv!.url}/_mailfront/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advance: '10m' }),
    })
    expect(moved.status).toBe(200)
    await until(
      'the answer',
      async () => client.answer(),
      (a) => a.includes('"state":"accepted"'),
    )
    expect(client.answer()).toMatch(/^HTTP\/1\.1 202 /)
    client.socket.destroy()
    const { messages } = await get(`/_mailfront/messages?to=${encodeURIComponent(to)}`)
    expect(messages.map((m: { via: string; plugin: string }) => [m.via, m.plugin])).toEqual([
      ['api', 'smtpd'],
    ])
  })
})
