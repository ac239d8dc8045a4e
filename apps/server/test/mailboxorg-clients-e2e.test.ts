import { execFileSync, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { resolve } from 'node:path'
import { connect } from 'node:tls'
import { wireKeys } from '@mailfront/plugin-mailboxorg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, hasCurl, type ServerProcess, startServer } from './server-process.ts'

// Real clients against the real server over TLS: a Python session sent as the `mailbox-org-api`
// client sends it (requests, its JSON and headers), and the PHP client's batch with a notification,
// in its curl mode (form Content-Type) and its fsockopen mode (raw HTTP/1.0).

const PY_SESSION = resolve(import.meta.dirname, 'clients/mailboxorg_session.py')
const hasPythonRequests =
  spawnSync('python3', ['-c', 'import requests, urllib3'], { stdio: 'ignore' }).status === 0

let srv: (ServerProcess & { dataDir: string }) | undefined
let closedDnsPort = 0

beforeAll(async () => {
  // A port where no DNS server listens: the SPF check reports a DNS error instead of going online.
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  closedDnsPort = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  srv = await startServer({ MAILFRONT_MAILBOXORG_DNS_SERVERS: `127.0.0.1:${closedDnsPort}` })
  const cli = spawnSync(
    process.execPath,
    [
      BIN,
      'mailboxorg',
      'invoice',
      'add',
      'test_account',
      '--amount',
      '35.70',
      '--id',
      'BMBO-83002-25',
      '--date',
      '2025-10-30',
      '--status',
      'storniert',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, MAILFRONT_DATA_DIR: srv.dataDir, MAILFRONT_LOG_LEVEL: 'warn' },
    },
  )
  expect(cli.status, cli.stderr).toBe(0)
  expect(JSON.parse(cli.stdout)).toMatchObject({ invoice_id: 'BMBO-83002-25', account: 'test_account' })
})
afterAll(() => {
  srv?.child.kill('SIGKILL')
})

interface Call {
  method: string
  status: number
  content_type: string
  answer: { jsonrpc: string; id: string; result?: unknown; error?: unknown }
}

describe.skipIf(!hasPythonRequests)(
  'a Python mailbox-org-api style session (python3 with requests is required)',
  () => {
    it('auth, 50 calls across account, domain, mail and sub-resources, deauth', () => {
      const out = execFileSync('python3', [PY_SESSION, `${srv!.url}/v1/`, 'test_account', '123456'], {
        encoding: 'utf8',
        timeout: 120_000,
      })
      const { calls, files } = JSON.parse(out) as { calls: Call[]; files: Record<string, string> }
      expect(calls[0]!.method).toBe('auth')
      expect(calls.at(-1)!.method).toBe('deauth')
      expect(calls).toHaveLength(52)
      calls.forEach((c, i) => {
        expect(c.status, c.method).toBe(200)
        expect(c.content_type).toBe('application/json')
        expect(c.answer.id).toBe(String(i + 1))
        expect(c.answer.error, `${c.method}: ${JSON.stringify(c.answer.error)}`).toBeUndefined()
      })
      const results = (m: string) => calls.filter((c) => c.method === m).map((c) => c.answer.result as any)
      expect(results('account.get')[1].memo).toBe('set by the Python client')
      const [brief] = results('mail.list')[0]
      expect(Object.keys(brief)).toEqual(wireKeys('mailBrief'))
      expect(brief.parent_uid).toBe('test_account')
      const [set, got] = [results('mail.set')[0], results('mail.get')[1]]
      expect(set).toEqual(got)
      expect(got).toMatchObject({
        plan: 'premium',
        require_reset_password: true,
        uid_extern: 'py-4711',
        aliases: ['py.alias@pyclient.test'],
      })
      expect(results('mail.externaluid')[0].mail).toBe('py.user@pyclient.test')
      expect(results('mail.list')[1]).toMatchObject({ totalHits: 1, totalPages: 1 })
      // Newest first: the one added here (2025-10-30) after the demo's (BMBO-10001-25, 2025-12-31).
      expect(results('account.invoice.list')[0][1]).toMatchObject({
        invoice_id: 'BMBO-83002-25',
        amount: 35.7,
        status: 'storniert',
      })
      expect(files.pdf!.startsWith('%PDF-1.7')).toBe(true)
      expect(files.csv).toContain('date,services,description,quantity,currency,net,vat_percent,total')
      expect(files.xml).toContain('xml version="1.0" encoding="UTF-8"')
      expect(results('domain.validate.spf')[0]).toMatchObject({ domain: 'domain1.test', status: 'error' })
      expect(results('group.get')[0]).toMatchObject({ display_name: 'Py team 2', mail_addresses: [] })
      expect(results('deauth')[0]).toBe(true)
    })
  },
)

describe.skipIf(!hasCurl)('the PHP client’s batch with a notification (curl is required)', () => {
  const login = () =>
    JSON.parse(
      execFileSync(
        'curl',
        [
          '-sk',
          '--data-binary',
          '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}',
          `${srv!.url}/v1/`,
        ],
        { encoding: 'utf8' },
      ),
    ).result.session as string
  const batch = (mail: string, address: string) =>
    JSON.stringify([
      { jsonrpc: '2.0', method: 'hello.innerworld', params: '', id: '1' },
      { jsonrpc: '2.0', method: 'mail.blacklist.add', params: { mail, add_address: address } },
      { jsonrpc: '2.0', method: 'mail.blacklist.list', params: { mail }, id: '3' },
    ])

  it('in curl mode: the Content-Type dropped after set_auth_id, the notification unanswered but done', () => {
    const session = login()
    // curl's --data-binary sends application/x-www-form-urlencoded, as the PHP client does then.
    const out = execFileSync(
      'curl',
      [
        '-sk',
        '-H',
        `HPLS-AUTH: ${session}`,
        '--data-binary',
        batch('user1@domain1.test', 'php@spam.test'),
        `${srv!.url}/v1/`,
      ],
      {
        encoding: 'utf8',
      },
    )
    expect(JSON.parse(out)).toEqual([
      { jsonrpc: '2.0', result: 'Hello Inner-World!', id: '1' },
      { jsonrpc: '2.0', result: ['php@spam.test'], id: '3' },
    ])
  })

  it('in fsockopen mode: a raw HTTP/1.0 request over TLS with Connection: close', async () => {
    const session = login()
    const { hostname, port } = new URL(srv!.url)
    const body = batch('user2@domain1.test', 'raw@spam.test')
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
        socket.write(
          `POST /v1/ HTTP/1.0\r\nHost: ${hostname}\r\nContent-type: application/json\r\nContent-length: ${Buffer.byteLength(body)}\r\nHPLS-AUTH: ${session}\r\nConnection: close\r\n\r\n${body}`,
        )
      })
      let data = ''
      socket.on('data', (b) => {
        data += b.toString()
      })
      socket.on('end', () => done(data))
      socket.on('error', fail)
    })
    const [head, payload] = raw.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.[01] 200 /)
    expect(head!.toLowerCase()).toContain('content-type: application/json')
    expect(JSON.parse(payload!)).toEqual([
      { jsonrpc: '2.0', result: 'Hello Inner-World!', id: '1' },
      { jsonrpc: '2.0', result: ['raw@spam.test'], id: '3' },
    ])
  })
})
