import { randomBytes } from 'node:crypto'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BuiltImage, buildImage, podman, podmanMissing } from './podman.ts'
import { insecureFetch } from './server-process.ts'

// The image as a user runs it: `npm run image` (podman here; a local base where registries are
// out of reach), then `podman run -p … -v …:/data`, checked only from outside the container.
// Figures (build time, image size, run → /readyz) are printed for the README.

if (podmanMissing) console.log(`container tests skipped: ${podmanMissing}`)

const TOKEN = randomBytes(24).toString('hex')
const ADMIN = { Authorization: `Bearer ${TOKEN}` }
const AUTHSMTP = { Authorization: `Basic ${btoa('aa12345:demo-api-password')}` }
const TMAIL = { Authorization: `Basic ${btoa('admin:admin')}` }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Running {
  name: string
  url: string
  smtpPort: number
  /** Milliseconds from `podman run` to the first 200 of /readyz. */
  readyMs: number
}

// Skipped with the reason printed above where podman is absent.
describe.skipIf(podmanMissing !== undefined)('the container image', () => {
  const id = randomBytes(4).toString('hex')
  const volume = `mailfront-test-${id}`
  const names: string[] = []
  let image: BuiltImage

  /** `podman run -d` with the volume on /data and loopback ports; waits for /readyz. */
  async function start(n: number, env: string[] = []): Promise<Running> {
    const name = `mailfront-test-${id}-${n}`
    names.push(name)
    const started = Date.now()
    await podman(
      ...['run', '-d', '--name', name, '-v', `${volume}:/data`],
      ...['-p', '127.0.0.1::8080', '-p', '127.0.0.1::2525', ...env.flatMap((e) => ['-e', e])],
      image.tag,
    )
    const port = async (p: number) => Number((await podman('port', name, `${p}/tcp`)).split(':').pop())
    const url = `https://127.0.0.1:${await port(8080)}`
    for (;;) {
      const res = await insecureFetch(`${url}/readyz`).catch(() => undefined)
      if (res?.status === 200) break
      const state = await podman('inspect', '--format', '{{.State.Status}}', name)
      if (state !== 'running') throw new Error(`container ${state}:\n${await podman('logs', name)}`)
      if (Date.now() - started > 120_000)
        throw new Error(`no /readyz in 120 s:\n${await podman('logs', name)}`)
      await sleep(100)
    }
    return { name, url, smtpPort: await port(2525), readyMs: Date.now() - started }
  }

  beforeAll(async () => {
    image = await buildImage()
    console.log(
      `container image: ${image.tag}, ${(image.size / 1e6).toFixed(0)} MB, npm run image took ${image.seconds.toFixed(0)} s`,
    )
    await podman('volume', 'create', volume)
  }, 2_400_000)

  afterAll(async () => {
    if (podmanMissing) return
    for (const name of names) await podman('rm', '-f', '-t', '0', name).catch(() => undefined)
    await podman('volume', 'rm', '-f', volume).catch(() => undefined)
  }, 60_000)

  it('serves, captures SMTP mail, answers a provider, keeps its data across a restart, stops on SIGTERM', async () => {
    // The README's production settings: a token, nothing else (the image's default, open, gives way).
    const first = await start(1, [`MAILFRONT_ADMIN_TOKEN=${TOKEN}`])
    console.log(`container: podman run → /readyz 200 in ${(first.readyMs / 1000).toFixed(1)} s`)

    // The banner of `docker run`: the stand-in's address, the demo data and what to try.
    const banner = await podman('logs', first.name)
    expect(banner).toMatch(/mailfront https:\/\/\S+:8080/)
    expect(banner).toContain('demo data loaded; try:')
    expect(banner).toMatch(/SMTP submission on \S+:2525/)

    // The process is the image's unprivileged user, not root.
    expect(await podman('exec', first.name, 'node', '-p', 'process.getuid() + ":" + process.getgid()')).toBe(
      '1000:1000',
    )
    expect(await podman('top', first.name, 'user')).not.toMatch(/\broot\b/)

    // The README's way to the local CA that issued the HTTPS certificate: `mailfront` is on PATH.
    expect(await podman('exec', first.name, 'mailfront', 'ca')).toMatch(/^-----BEGIN CERTIFICATE-----/)

    // The HEALTHCHECK (kept by the docker image format) runs /readyz inside the container.
    await podman('healthcheck', 'run', first.name) // exits non-zero when unhealthy
    expect(await podman('inspect', '--format', '{{.State.Health.Status}}', first.name)).toBe('healthy')

    // A provider call with the demo login.
    const account = await insecureFetch(`${first.url}/restful/basic_user/aa12345`, { headers: AUTHSMTP })
    expect(account.status).toBe(200)
    expect(account.body.toString()).toContain('<user_id>aa12345</user_id>')
    const created = await insecureFetch(`${first.url}/users/alice@example.com`, {
      method: 'POST',
      headers: TMAIL,
      body: '{"passwd":"motdepasse","haveMailbox":true}',
    })
    expect(created.status).toBe(201)

    // Mail over SMTP (STARTTLS, the demo login) appears in the admin API.
    const subject = `from outside ${id}`
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: first.smtpPort,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'aa12345', pass: 'demo-smtp-password' },
    })
    await smtp.sendMail({ from: 'sales@example.com', to: 'you@example.org', subject, text: 'hello' })
    smtp.close()
    const listed = async (url: string, headers: Record<string, string> = ADMIN) => {
      const res = await insecureFetch(`${url}/_mailfront/messages?subject=${encodeURIComponent(subject)}`, {
        headers,
      })
      expect(res.status).toBe(200)
      const body = JSON.parse(res.body.toString()) as { messages: { subject: string }[] }
      return body.messages.map((m) => m.subject)
    }
    expect(await listed(first.url)).toEqual([subject])
    // Without the token (or with another), a client outside the container gets no admin API.
    expect((await insecureFetch(`${first.url}/_mailfront/messages`)).status).toBe(401)
    const wrong = { Authorization: `Bearer ${'0'.repeat(48)}` }
    expect((await insecureFetch(`${first.url}/_mailfront/messages`, { headers: wrong })).status).toBe(401)
    expect(await podman('logs', first.name)).not.toContain('MAILFRONT_ADMIN=open')

    // SIGTERM (podman stop) ends it cleanly within the grace period: exit 0, not the SIGKILL's 137.
    await podman('stop', '-t', '20', first.name)
    expect(await podman('inspect', '--format', '{{.State.ExitCode}}', first.name)).toBe('0')
    expect(await podman('logs', first.name)).toContain('"signal":"SIGTERM"')

    // A new container on the same volume has the mail and the user the first one stored; with the
    // image's own settings (`docker run` as is), the admin API is open to the host.
    const second = await start(2)
    expect(await listed(second.url, {})).toEqual([subject])
    expect(await podman('logs', second.name)).toContain('warning: MAILFRONT_ADMIN=open')
    const alice = await insecureFetch(`${second.url}/users/alice@example.com`, { headers: TMAIL })
    expect(alice.status).toBe(200)
    expect(JSON.parse(alice.body.toString())).toMatchObject({ Login: 'alice@example.com', HaveMailbox: true })
  }, 300_000)
})
