import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// The image build and podman's settings are the server's container test's (one build per machine).
import { buildImage, podmanEnv, podmanMissing } from '../../../apps/server/test/podman.ts'
import { MailfrontContainer, type StartedMailfrontContainer } from '../src/index.ts'

// The module as a Node user runs it, against the image `npm run image` builds, through podman's
// Docker-compatible API socket (`podman system service`); Ryuk (the reaper container) is off, so
// the test stops its container itself.

if (podmanMissing) console.log(`testcontainers tests skipped: ${podmanMissing}`)

/** A request with the container's self-signed certificate accepted. */
function call(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => {
          body += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

// Skipped with the reason printed above where podman is absent.
describe.skipIf(podmanMissing !== undefined)('MailfrontContainer (testcontainers over podman)', () => {
  let dir: string
  let service: ChildProcess | undefined
  let mf: StartedMailfrontContainer | undefined
  let tag: string

  beforeAll(async () => {
    tag = (await buildImage()).tag
    dir = mkdtempSync(join(tmpdir(), 'mailfront-tc-'))
    const socket = join(dir, 'podman.sock')
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
      env: podmanEnv(),
      stdio: 'ignore',
    })
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50))
    process.env.DOCKER_HOST = `unix://${socket}`
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  }, 2_400_000)

  afterAll(async () => {
    await mf?.stop()
    service?.kill('SIGTERM')
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('starts with the chosen plugins and gives url, smtp, messages, requests, fault and reset', async () => {
    mf = await new MailfrontContainer(tag).withPlugins(['smtpd', 'authsmtp']).start()
    expect(mf.url).toMatch(/^https:\/\/[^:]+:\d+$/)
    expect(mf.smtp).toMatchObject({ user: 'aa12345', pass: 'demo-smtp-password' })
    expect((await call(`${mf.url}/readyz`)).status).toBe(200)
    // The local CA that issued the HTTPS certificate: a client that trusts it verifies the server
    // at `url` as given, whatever host testcontainers chose (here podman's bridge address, e.g.).
    const ca = await mf.caCertificate()
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/)
    const verified = await new Promise<number>((resolve, reject) =>
      request(`${mf!.url}/readyz`, { ca }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
        .on('error', reject)
        .end(),
    )
    expect(verified).toBe(200)

    // A provider call: SMTPD's OAuth password grant with the demo login; tmail is not mounted.
    const basic = `Basic ${btoa('jack.truong@example.com:demo-password')}`
    const token = await call(`${mf.url}/oauth/token?grant_type=password`, {
      method: 'POST',
      headers: { Authorization: basic },
    })
    expect(token.status).toBe(200)
    expect(JSON.parse(token.body)).toMatchObject({ token_type: 'bearer' })
    expect((await call(`${mf.url}/ping`)).status).toBe(404)
    const [logged] = await mf.requests({ plugin: 'smtpd' })
    expect(logged).toMatchObject({ method: 'POST', path: '/oauth/token', status: 200 })
    expect(JSON.stringify(logged)).not.toContain('demo-password')

    // Mail over the SMTP port (STARTTLS, the login the banner printed) is captured.
    const smtp = nodemailer.createTransport({
      host: mf.smtp.host,
      port: mf.smtp.port,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: mf.smtp.user!, pass: mf.smtp.pass! },
    })
    await smtp.sendMail({ from: 'sales@example.com', to: 'you@example.org', subject: 'Reset', text: 'link' })
    smtp.close()
    const [mail] = await mf.messages({ to: 'you@example.org' })
    expect(mail).toMatchObject({ subject: 'Reset' })
    expect(await mf.message(mail!.id)).toMatchObject({ subject: 'Reset', text: 'link\n' })

    // A fault: the next call gets SMTPD's own rate-limit answer.
    await mf.fault({ plugin: 'smtpd', error: 'RATE_LIMITED', count: 1 })
    const limited = await call(`${mf.url}/api/v1/billing/plan`)
    expect([limited.status, JSON.parse(limited.body)]).toEqual([
      429,
      { code: 42901, message: 'Too many requests' },
    ])

    // reset(): the captured mail and the request log are gone, the demo data is back.
    await mf.reset()
    expect(await mf.messages()).toEqual([])
    expect(await mf.requests()).toEqual([])
    expect(
      (
        await call(`${mf.url}/oauth/token?grant_type=password`, {
          method: 'POST',
          headers: { Authorization: basic },
        })
      ).status,
    ).toBe(200)

    await mf.stop()
    mf = undefined
  }, 300_000)
})
