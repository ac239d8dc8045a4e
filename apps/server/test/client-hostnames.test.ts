import { execFileSync, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { promises as dnsPromises } from 'node:dns'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import * as packet from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, hasCurl, insecureFetch, type ServerProcess, startServer } from './server-process.ts'

// Clients with built-in hostnames (issue 26): the local CA, the providers' hostnames, the HTTPS proxy
// and the DNS responder, against the real server process.

const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0
// curl and Go must see the proxy given, whatever the machine's own proxy settings are.
const { NO_PROXY: _n, no_proxy: _m, HTTPS_PROXY: _h, https_proxy: _s, ...cleanEnv } = process.env

let srv: ServerProcess & { dataDir: string }
let ca: string
let proxyPort: number
let dnsPort: number
let token: string
const upstreamQueries: string[] = []
const upstream = createSocket('udp4')

/** A request over TLS to mailfront's port with this SNI and Host, verified against the CA. */
function viaName(
  name: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const port = Number(new URL(srv.url).port)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        servername: name,
        ca,
        headers: { Host: name, ...init.headers },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

/** What the proxy answers to one raw request head. */
function rawProxy(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = netConnect(proxyPort, '127.0.0.1', () => sock.write(head))
    let out = ''
    sock.on('data', (c) => {
      out += c
    })
    sock.on('close', () => resolve(out))
    sock.on('error', reject)
  })
}

const resolver = () => {
  const r = new dnsPromises.Resolver({ timeout: 3000, tries: 1 })
  r.setServers([`127.0.0.1:${dnsPort}`])
  return r
}

function udpQuery(msg: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4')
    const timer = setTimeout(() => {
      s.close()
      resolve(undefined)
    }, 1500)
    s.on('message', (m) => {
      clearTimeout(timer)
      s.close()
      resolve(m)
    })
    s.send(msg, dnsPort, '127.0.0.1')
  })
}

beforeAll(async () => {
  // The fake upstream resolver: every name is 192.0.2.7.
  upstream.on('message', (msg, from) => {
    const q = packet.decode(msg)
    upstreamQueries.push(q.questions![0]!.name)
    const answers: packet.Answer[] =
      q.questions![0]!.type === 'A'
        ? [{ type: 'A', name: q.questions![0]!.name, ttl: 30, data: '192.0.2.7' }]
        : []
    upstream.send(
      packet.encode({
        type: 'response',
        id: q.id,
        flags: packet.RECURSION_AVAILABLE,
        questions: q.questions,
        answers,
      }),
      from.port,
      from.address,
    )
  })
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r))
  srv = await startServer({
    MAILFRONT_PROXY_PORT: '0',
    MAILFRONT_DNS_PORT: '0',
    MAILFRONT_DNS_UPSTREAM: `127.0.0.1:${upstream.address().port}`,
    MAILFRONT_HOSTNAME: 'mailfront.test',
  })
  for (let i = 0; i < 100 && !/DNS responder on \S+:(\d+)/.test(srv.output()); i++)
    await new Promise((r) => setTimeout(r, 50))
  proxyPort = Number(/HTTPS proxy on \S+:(\d+)/.exec(srv.output())![1])
  dnsPort = Number(/DNS responder on \S+:(\d+)/.exec(srv.output())![1])
  ca = execFileSync(process.execPath, [BIN, 'ca', '--data-dir', srv.dataDir], { encoding: 'utf8' })
  const grant = await insecureFetch(`${srv.url}/oauth/token?grant_type=password`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('jack.truong@example.com:demo-password').toString('base64')}`,
    },
  })
  token = JSON.parse(grant.body.toString()).access_token
}, 60_000)

afterAll(() => {
  srv?.child.kill('SIGKILL')
  upstream.close()
})

describe('the local CA', () => {
  it('`mailfront ca` prints it, `--path` its file; its key stays in the data dir, mode 0600', () => {
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/)
    const path = execFileSync(process.execPath, [BIN, 'ca', '--path', '--data-dir', srv.dataDir], {
      encoding: 'utf8',
    })
    expect(path).toBe(`${join(srv.dataDir, 'ca-cert.pem')}\n`)
    expect(readFileSync(path.trim(), 'utf8')).toBe(ca)
    expect(statSync(join(srv.dataDir, 'ca-key.pem')).mode & 0o777).toBe(0o600)
    expect(srv.output()).toContain('issued a certificate from the local CA')
  })

  it.each([
    ['api.smtpd.dev'],
    ['api.mailbox.org'],
    ['secure.authsmtp.com'],
    ['localhost'],
    ['mailfront.test'],
  ])('the server certificate verifies for SNI %s', async (name) => {
    const port = Number(new URL(srv.url).port)
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: name, ca }, () => {
        resolve(s.authorized)
        s.end()
      })
      s.on('error', reject)
    })
    expect(authorized).toBe(true)
  })

  it('refuses a name it does not cover', async () => {
    await expect(viaName('example.com', '/healthz')).rejects.toThrow(/altnames|example\.com/)
  })

  it('`mailfront ca --help` says what each option does; two at once is an error (exit 2)', () => {
    const help = execFileSync(process.execPath, [BIN, 'ca', '--help'], { encoding: 'utf8' })
    for (const o of ['--path', '--install', '--uninstall', '--renew', '--data-dir']) expect(help).toContain(o)
    const r = spawnSync(process.execPath, [BIN, 'ca', '--path', '--install', '--data-dir', srv.dataDir], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('mailfront: choose one of --path, --install, --uninstall, --renew\n')
    // --install (like --path, --uninstall) never makes a CA: a data dir without one is exit 2.
    const empty = mkdtempSync(join(tmpdir(), 'mailfront-noca-'))
    const none = spawnSync(process.execPath, [BIN, 'ca', '--install', '--data-dir', empty], {
      encoding: 'utf8',
    })
    expect(none.status).toBe(2)
    expect(none.stderr).toMatch(/^mailfront: no local CA in .* yet: start the server once/)
    expect(readdirSync(empty)).toEqual([])
  })
})

describe("the providers' hostnames reach their plugin", () => {
  it('api.smtpd.dev: GET /oauth/me is SMTPD', async () => {
    const r = await viaName('api.smtpd.dev', '/oauth/me', { headers: { Authorization: `Bearer ${token}` } })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)).toMatchObject({ email_address: 'jack.truong@example.com' })
  })

  it('api.mailbox.org: POST /v1/ is mailbox.org', async () => {
    const r = await viaName('api.mailbox.org', '/v1/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'hello.world', params: {}, id: 1 }),
    })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)).toEqual({ jsonrpc: '2.0', result: 'Hello World!', id: 1 })
  })

  it('secure.authsmtp.com: GET /restful/basic_user/… is AuthSMTP', async () => {
    const r = await viaName('secure.authsmtp.com', '/restful/basic_user/aa12345', {
      headers: { Authorization: `Basic ${Buffer.from('aa12345:demo-api-password').toString('base64')}` },
    })
    expect(r.status).toBe(200)
    expect(r.body).toContain('<messages_limit>1000</messages_limit>')
  })

  it("one provider's hostname does not serve another's paths", async () => {
    expect((await viaName('api.mailbox.org', '/oauth/me')).status).toBe(404)
    expect((await viaName('api.smtpd.dev', '/restful/basic_user/aa12345')).status).toBe(404)
  })
})

describe.skipIf(!hasCurl)('the HTTPS proxy (curl is required)', () => {
  const curl = (...args: string[]) =>
    spawnSync('curl', ['-sS', '--max-time', '10', '--cacert', join(srv.dataDir, 'ca-cert.pem'), ...args], {
      encoding: 'utf8',
      env: cleanEnv,
    })

  it('curl -x reaches SMTPD at https://api.smtpd.dev, verified against the CA', () => {
    const r = curl(
      '-x',
      `http://127.0.0.1:${proxyPort}`,
      '-H',
      `Authorization: Bearer ${token}`,
      'https://api.smtpd.dev/oauth/me',
    )
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ email_address: 'jack.truong@example.com' })
  })

  it('CONNECT anywhere else is 403: never an open proxy', async () => {
    const r = curl('-x', `http://127.0.0.1:${proxyPort}`, 'https://example.com/')
    expect(r.stderr).toContain('CONNECT tunnel failed, response 403')
    expect(await rawProxy('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 403 Forbidden\r\n/,
    )
    // The right name on another port, or mailfront's own loopback address, is refused too.
    expect(await rawProxy('CONNECT api.smtpd.dev:80 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /)
    const own = new URL(srv.url).port
    expect(await rawProxy(`CONNECT 127.0.0.1:${own} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /)
  })

  it('a request other than CONNECT is 405; garbage is 400', async () => {
    expect(
      await rawProxy('GET http://api.smtpd.dev/oauth/me HTTP/1.1\r\nHost: api.smtpd.dev\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*Allow: CONNECT\r\n/)
    expect(await rawProxy('\x16\x03\x01garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
    expect(await rawProxy('CONNECT nonsense HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
  })
})

describe.skipIf(!hasGo)(
  'a Go program with the default http.Client, through the proxy (Go is required)',
  () => {
    it('reaches SMTPD with HTTPS_PROXY and SSL_CERT_FILE only', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailfront-go-'))
      writeFileSync(
        join(dir, 'main.go'),
        `package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

// As the terraform provider's SDK does: the built-in base URL, Go's default client and transport.
// (Not smtpd-go: its own http.Transport has no Proxy, so HTTPS_PROXY never reaches it.)
func main() {
	req, _ := http.NewRequest("GET", "https://api.smtpd.dev/oauth/me", nil)
	req.Header.Set("Authorization", "Bearer "+os.Getenv("TOKEN"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode)
	fmt.Println(string(body))
}
`,
      )
      const r = spawnSync('go', ['run', 'main.go'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...cleanEnv,
          HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
          SSL_CERT_FILE: join(srv.dataDir, 'ca-cert.pem'),
          TOKEN: token,
          GOFLAGS: '-mod=mod',
          GOPROXY: 'off',
          GOCACHE: join(dir, 'cache'),
          GOPATH: join(dir, 'gopath'),
          GO111MODULE: 'auto',
        },
      })
      expect(r.stderr).toBe('')
      const [status, body] = r.stdout.split('\n')
      expect(status).toBe('200')
      expect(JSON.parse(body!)).toMatchObject({ email_address: 'jack.truong@example.com' })
    }, 150_000)
  },
)
if (!hasGo) console.log('go is not installed: the Go-through-the-proxy test is skipped')

describe('the DNS responder', () => {
  it("answers the providers' hostnames with the listen address (A), and no AAAA", async () => {
    for (const name of ['api.smtpd.dev', 'api.mailbox.org', 'secure.authsmtp.com', 'API.SMTPD.DEV'])
      expect(await resolver().resolve4(name)).toEqual(['127.0.0.1'])
    await expect(resolver().resolve6('api.smtpd.dev')).rejects.toMatchObject({ code: 'ENODATA' })
  })

  it('forwards every other name to the upstream resolver', async () => {
    expect(await resolver().resolve4('example.org')).toEqual(['192.0.2.7'])
    expect(upstreamQueries).toContain('example.org')
    expect(upstreamQueries).not.toContain('api.smtpd.dev')
  })

  it('answers over TCP too', async () => {
    const q = packet.streamEncode({
      type: 'query',
      id: 7,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'api.smtpd.dev' }],
    })
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const s = netConnect(dnsPort, '127.0.0.1', () => s.write(q))
      let buf = Buffer.alloc(0)
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c])
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          s.end()
          resolve(buf)
        }
      })
      s.on('error', reject)
    })
    const p = packet.streamDecode(reply)
    expect(p.id).toBe(7)
    expect(p.answers).toEqual([
      expect.objectContaining({ type: 'A', name: 'api.smtpd.dev', data: '127.0.0.1' }),
    ])
  })

  it('survives malformed packets: FORMERR when there is a header, nothing otherwise', async () => {
    expect(await udpQuery(Buffer.from([1, 2, 3]))).toBeUndefined()
    const bad = Buffer.concat([
      Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0]),
      Buffer.from('\x3fjunk'),
    ])
    const reply = packet.decode((await udpQuery(bad))!)
    expect(reply).toMatchObject({ id: 0xabcd, type: 'response', rcode: 'FORMERR' })
    // A response sent to it is not answered (no loops between two responders).
    const response = packet.encode({ type: 'response', id: 9, questions: [{ type: 'A', name: 'x.example' }] })
    expect(await udpQuery(response)).toBeUndefined()
    // Still serving.
    expect(await resolver().resolve4('api.smtpd.dev')).toEqual(['127.0.0.1'])
  })
})

describe('the CA key is never shown', () => {
  it('not in the logs, the fixtures export, or the admin API', async () => {
    const key = readFileSync(join(srv.dataDir, 'ca-key.pem'), 'utf8')
    const body = key
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('')
    const needles = [body, body.slice(0, 40), body.slice(-40)]
    const exported = execFileSync(process.execPath, [BIN, 'fixtures', 'export', '--data-dir', srv.dataDir], {
      encoding: 'utf8',
    })
    const admin = await Promise.all(
      ['/_mailfront/fixtures', '/_mailfront/requests', '/_mailfront/messages', '/_mailfront/faults', '/'].map(
        async (p) => (await insecureFetch(`${srv.url}${p}`)).body.toString(),
      ),
    )
    for (const text of [srv.output(), exported, ...admin])
      for (const n of needles) expect(text).not.toContain(n)
  })
})

describe('a port already taken', () => {
  it('stops the start with one line naming the DNS responder (exit 1)', async () => {
    // The fake upstream holds this UDP port.
    const err = await startServer({
      MAILFRONT_DNS_PORT: String(upstream.address().port),
      MAILFRONT_DEMO: 'off',
    }).catch((e: Error) => e)
    expect((err as Error).message).toMatch(/^server exited with 1:/)
    expect((err as Error).message).toContain(
      `mailfront: cannot start the DNS responder on 127.0.0.1:${upstream.address().port}: bind EADDRINUSE`,
    )
    expect((err as Error).message).toContain('(set another port: MAILFRONT_DNS_PORT or --dns-port)\n')
  })
})
