import { randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  type StartedTestContainer,
  Wait,
} from 'testcontainers'
import { certificateHostnames } from './hostnames.ts'

/** The image `npm run image` builds; set MAILFRONT_IMAGE (or pass one) for another tag. */
export const DEFAULT_IMAGE = 'localhost/mailfront:latest'
const HTTP = 8080
const SMTP = 2525

/** A login the SMTP port takes (the demo data's first, as the container's banner prints it). */
export interface SmtpEndpoint {
  host: string
  port: number
  user?: string
  pass?: string
}

/** Filters of GET /_mailfront/messages: substrings of from, to, subject; plugin exact; limit. */
export interface MessageQuery {
  from?: string
  to?: string
  subject?: string
  plugin?: string
  limit?: number
}

/** Filters of GET /_mailfront/requests: `path` a prefix or a `*` pattern, `status` a code or `4xx`. */
export interface RequestFilter {
  plugin?: string
  method?: string
  path?: string
  status?: string | number
  limit?: number
}

/** A captured message as the admin API lists it (GET /_mailfront/messages/:id has the parsed body). */
export interface CapturedMessage {
  id: string
  subject?: string
  from?: string
  to?: string[]
  [key: string]: unknown
}

/** One entry of the request log (secrets `[redacted]`). */
export interface RequestEntry {
  method: string
  path: string
  plugin?: string
  status: number
  [key: string]: unknown
}

/** A fault as POST /_mailfront/faults takes it. */
export interface Fault {
  plugin: string
  route?: string
  path?: string
  method?: string
  latencyMs?: number
  status?: number
  error?: string
  probability?: number
  count?: number
}

/** A fault on the SMTP port (POST /_mailfront/faults with `plugin: "smtp"`). */
export interface SmtpFault {
  plugin: 'smtp'
  /** The command hit (`ehlo` is EHLO or HELO; `data` is the end of the message). */
  stage?: 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data'
  /** Sent as given, e.g. `451 4.7.1 try later`. */
  reply?: string
  latencyMs?: number
  /** Close the connection with no reply. */
  drop?: boolean
  /** Alone: 421 4.7.0 at MAIL FROM after `messages` per login within `perSeconds`. */
  rateLimit?: { messages: number; perSeconds: number }
  probability?: number
  count?: number
}

/**
 * mailfront in a container for a test suite: demo data, captured mail, the admin API behind a
 * generated token, HTTPS with the container's self-signed certificate (the SMTP port's STARTTLS
 * uses it too: without TLS, AUTH is taken from loopback only, and the test runs outside).
 * `await new MailfrontContainer().withPlugins(['smtpd']).start()`.
 */
export class MailfrontContainer extends GenericContainer {
  private readonly token = randomBytes(24).toString('hex')
  private tls = true

  constructor(image = process.env.MAILFRONT_IMAGE ?? DEFAULT_IMAGE) {
    super(image)
    this.withExposedPorts(HTTP, SMTP)
      .withEnvironment({
        MAILFRONT_DEMO: 'on',
        // Only the holder of the token (this module) is admin. `auto` said outright: an image built
        // before MAILFRONT_ADMIN_DEFAULT set MAILFRONT_ADMIN=open, which a token alone would not undo.
        MAILFRONT_ADMIN: 'auto',
        MAILFRONT_ADMIN_TOKEN: this.token,
        MAILFRONT_MAIL_DELIVERY: 'capture',
      })
      .withStartupTimeout(120_000)
  }

  /** The plugins to mount (default: every plugin of the image). */
  withPlugins(ids: readonly string[]): this {
    return this.withEnvironment({ MAILFRONT_PLUGINS: ids.join(',') })
  }

  /** Any other MAILFRONT_* variable, e.g. `{ MAILFRONT_AUTHSMTP_RATE_WINDOW_S: '0' }`. */
  withSettings(env: Record<string, string>): this {
    return this.withEnvironment(env)
  }

  /** Plain HTTP instead of HTTPS (then the SMTP port takes no login from outside the container). */
  withPlainHttp(): this {
    this.tls = false
    return this.withEnvironment({ MAILFRONT_TLS: 'off', MAILFRONT_REQUIRE_HTTPS: 'false' })
  }

  override async start(): Promise<StartedMailfrontContainer> {
    const ready = Wait.forHttp('/readyz', HTTP).forStatusCode(200)
    this.withWaitStrategy(this.tls ? ready.usingTls().allowInsecure() : ready)
    // The certificate names the host `url` will carry (testcontainers' host for this runtime: often
    // localhost, but a bridge address or a remote daemon's name elsewhere), so trusting
    // caCertificate() makes HTTPS verify.
    if (this.tls) {
      const host = (await getContainerRuntimeClient()).info.containerRuntime.host
      this.withEnvironment({
        MAILFRONT_HOSTNAME: certificateHostnames(this.environment.MAILFRONT_HOSTNAME, host),
      })
    }
    const started = await super.start()
    return new StartedMailfrontContainer(started, this.token, this.tls, await smtpLogin(started))
  }
}

/** The first `--auth-user U --auth-password P` of the start banner (the demo data's SMTP login). */
async function smtpLogin(c: StartedTestContainer): Promise<{ user?: string; pass?: string }> {
  const stream = await c.logs()
  let out = ''
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      stream.destroy()
      const m = /--auth-user (\S+) --auth-password (\S+)/.exec(out)
      resolve(m ? { user: m[1], pass: m[2] } : {})
    }
    // The banner is written before /readyz answers; a plugin set with no SMTP login prints none.
    const timer = setTimeout(done, 1_500)
    stream.on('data', (b: Buffer | string) => {
      out += b.toString()
      if (/--auth-password \S+\s/.test(out)) done()
    })
    stream.on('end', done)
  })
}

export class StartedMailfrontContainer extends AbstractStartedContainer {
  /**
   * `https://<host>:<port>`, the host being testcontainers' for this runtime (`localhost`, or e.g. the
   * bridge's address): give it to your client as the provider's base URL. The certificate names it.
   */
  readonly url: string
  /** The SMTP submission port (STARTTLS, self-signed) and the demo data's login, when a plugin has one. */
  readonly smtp: SmtpEndpoint

  constructor(
    started: StartedTestContainer,
    private readonly token: string,
    tls: boolean,
    login: { user?: string; pass?: string },
  ) {
    super(started)
    const host = started.getHost()
    const urlHost = isIP(host) === 6 ? `[${host}]` : host
    this.url = `${tls ? 'https' : 'http'}://${urlHost}:${started.getMappedPort(HTTP)}`
    this.smtp = { host, port: started.getMappedPort(SMTP), ...login }
  }

  /** The admin API, over node:https (the certificate is the container's own, self-signed). */
  private admin(path: string, method = 'GET', body?: string): Promise<unknown> {
    const url = new URL(`/_mailfront${path}`, this.url)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      const req = send(url, { method, headers, rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status < 200 || status > 299)
            reject(new Error(`mailfront ${method} ${url.pathname}: ${status} ${text}`))
          else resolve(text ? JSON.parse(text) : undefined)
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  /** The container's local CA certificate (PEM), which issued its HTTPS certificate: trust it in your client. */
  async caCertificate(): Promise<string> {
    const r = await this.exec(['cat', '/data/ca-cert.pem'])
    if (r.exitCode !== 0)
      throw new Error(`mailfront: no CA certificate in the container (${r.output.trim()})`)
    return r.output
  }

  /** Empty the store and load the demo data again; clears the request log and the faults. */
  async reset(): Promise<void> {
    await this.admin('/reset', 'POST')
  }

  /** Captured mail, newest first. */
  async messages(query: MessageQuery = {}): Promise<CapturedMessage[]> {
    return ((await this.admin(`/messages${search(query)}`)) as { messages: CapturedMessage[] }).messages
  }

  /** One captured message, parsed: subject, from, to, text, html, headers, attachments. */
  async message(id: string): Promise<CapturedMessage & { text?: string; html?: string }> {
    return (await this.admin(`/messages/${encodeURIComponent(id)}`)) as CapturedMessage
  }

  /** Requests your code sent, newest first, secrets redacted. */
  async requests(filter: RequestFilter = {}): Promise<RequestEntry[]> {
    return ((await this.admin(`/requests${search(filter)}`)) as { requests: RequestEntry[] }).requests
  }

  /** Inject a fault (the provider's own error, a status, latency; or an SMTP reply, drop, rate limit). */
  async fault(f: Fault | SmtpFault): Promise<void> {
    await this.admin('/faults', 'POST', JSON.stringify(f))
  }
}

const search = (q: object) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}
