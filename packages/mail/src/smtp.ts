import type { AddressInfo } from 'node:net'
import {
  type Envelope,
  type Logger,
  MailRejection,
  type MailService,
  type SmtpAuth,
  silentLogger,
} from '@mailfront/core'
import { type SmtpLoginSource, SmtpLogins } from '@mailfront/core/host'
import addressparser from 'nodemailer/lib/addressparser'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'
import { headerBlock } from './dsn.ts'
import { type MimeLimits, mimeBeyondLimits } from './mime-shape.ts'
import { InvalidSubmission } from './service.ts'
import { installSmtpFaults, type SmtpFaults } from './smtp-faults.ts'

export type { SmtpLoginSource }

/** The core's login throttle, as the port uses it (failures only; a refusal never checks). */
export interface SmtpLoginThrottle {
  attempt<T>(
    login: string,
    address: string,
    check: () => Promise<T | null>,
  ): Promise<{ status: 'ok'; value: T } | { status: 'failed' } | { status: 'refused'; retryAfterS: number }>
}

export interface SmtpListenerOptions {
  mail: MailService
  sources: SmtpLoginSource[]
  /** STARTTLS certificate (PEM); without it the port offers no STARTTLS (loopback-only AUTH). */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** Largest message accepted, advertised as SIZE. */
  maxSize: number
  /** MIME nesting depth and part count a message may have (MIME_LIMITS: 32 and 1,000). */
  mimeLimits?: MimeLimits
  /** Simultaneous connections per client address. */
  maxClientsPerAddress: number
  /** Recipients per message. */
  maxRecipients?: number
  hostname: string
  throttle?: SmtpLoginThrottle
  log?: Logger
  /** Called on each failed login (metrics). */
  onAuthFailure?(): void
  /**
   * Asked at RCPT TO (the pipeline's `local.check`): a plugin hosting the recipient may refuse
   * it with a MailRejection (a blacklisted sender), answered there for that recipient only.
   */
  checkRecipient?(from: string, rcpt: string): Promise<unknown>
  /**
   * Capture-anything (MAILFRONT_SMTP_AUTH=any): any login (any password, with or without TLS) or
   * none, any sender; mail is recorded under the plugin id `smtp` with the login as its principal.
   */
  anyLogin?: boolean
  /** Faults to inject (POST /_mailfront/faults with plugin `smtp`), asked at each stage. */
  faults?: SmtpFaults
}

/** The plugin id of mail taken in capture-anything mode. */
export const ANY_LOGIN_PLUGIN = 'smtp'

export interface SmtpListener {
  listen(port: number, host: string): Promise<number>
  close(): Promise<void>
}

interface SessionUser {
  plugin: string
  principal: string
  auth: SmtpAuth
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code })
}

/** A plugin's MailRejection as an SMTP reply; anything else is a temporary local error (never details). */
function asReply(e: unknown, log: Logger): Error {
  if (e instanceof MailRejection) return reply(e.code, e.message)
  if (e instanceof InvalidSubmission) return reply(550, `5.1.3 ${e.message}`)
  log.error({ err: e }, 'smtp: submission failed')
  return reply(451, '4.3.0 Local error, try again later')
}

/** The addresses of the From header (unfolded), for a plugin's allowed-sender rule. */
export function headerFromOf(raw: Uint8Array): string[] {
  const m = /^From:[ \t]*((?:.*)(?:\r\n[ \t].*)*)/im.exec(headerBlock(raw))
  if (!m) return []
  const value = Buffer.from(m[1]!.replace(/\r\n([ \t])/g, '$1'), 'latin1').toString('utf8')
  const out: string[] = []
  const walk = (list: ReturnType<typeof addressparser>) => {
    for (const a of list) {
      if ('group' in a && a.group) walk(a.group as never)
      else if (a.address) out.push(a.address)
    }
  }
  walk(addressparser(value))
  return out
}

/** A capture-anything session's user: no checks, no accounting. */
const anyUser = (login: string): SessionUser => ({
  plugin: ANY_LOGIN_PLUGIN,
  principal: login,
  auth: { hasLogin: async () => false, authenticate: async () => null },
})

const userOf = (s: SMTPServerSession) => s.user as unknown as SessionUser | undefined

/**
 * The SMTP submission port (RFC 6409 style): AUTH PLAIN/LOGIN required, STARTTLS with the server's
 * certificate, plain-text AUTH only after STARTTLS or from loopback, SIZE enforced, connections per
 * client address bounded. Each accepted message goes through the mail pipeline.
 */
export function createSmtpListener(o: SmtpListenerOptions): SmtpListener {
  const log = o.log ?? silentLogger
  const perAddress = new Map<string, number>()
  const maxRecipients = o.maxRecipients ?? 100
  const logins = new SmtpLogins()
  for (const s of o.sources) logins.add(s.plugin, s.auth)
  // A submission still waiting to be accepted (slow@) is abandoned when its connection or the
  // listener closes: never stored after the client has gone (its retry would be a duplicate).
  const gone = new Map<string, AbortController>()
  let closing: MailRejection | undefined
  const signalOf = (session: SMTPServerSession) => {
    const c = gone.get(session.id) ?? new AbortController()
    gone.set(session.id, c)
    if (closing) c.abort(closing)
    return c.signal
  }

  const server = new SMTPServer({
    name: o.hostname,
    banner: 'mailfront ESMTP submission',
    secure: false,
    ...(o.tls ? { key: o.tls.key, cert: o.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    size: o.maxSize,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !!o.anyLogin,
    // Checked in onAuth instead, so loopback clients may authenticate without TLS.
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 60_000,
    closeTimeout: 10_000,

    onConnect(session, cb) {
      const ip = session.remoteAddress
      const n = (perAddress.get(ip) ?? 0) + 1
      perAddress.set(ip, n)
      // Counted before the check: onClose always runs and gives it back.
      if (n > o.maxClientsPerAddress) {
        log.warn({ client: ip, connections: n - 1 }, 'smtp: too many connections from one address')
        return cb(
          reply(421, `4.7.0 Too many connections from your address (at most ${o.maxClientsPerAddress})`),
        )
      }
      cb()
    },

    onClose(session) {
      gone.get(session.id)?.abort(new MailRejection(421, '4.4.2 Connection closed'))
      gone.delete(session.id)
      const ip = session.remoteAddress
      const n = (perAddress.get(ip) ?? 1) - 1
      if (n <= 0) perAddress.delete(ip)
      else perAddress.set(ip, n)
    },

    onAuth(auth, session, cb) {
      const ip = session.remoteAddress
      if (o.anyLogin) {
        log.info({ client: ip, login: auth.username, method: auth.method }, 'smtp: login (any accepted)')
        return cb(null, { user: anyUser(auth.username ?? '') as never })
      }
      if (!session.secure && !LOOPBACK.test(ip))
        return cb(reply(538, '5.7.11 Encryption required: issue STARTTLS before AUTH'))
      const login = auth.username ?? ''
      const password = auth.password ?? ''
      // One namespace: only the plugin holding the login checks the password (never a second one).
      const check = async (): Promise<SessionUser | null> => {
        const r = await logins.authenticate(login, password, ip)
        return r && { plugin: r.source.plugin, principal: r.principal, auth: r.source.auth }
      }
      const run = o.throttle
        ? o.throttle.attempt(login, ip, check)
        : check().then((value) =>
            value ? ({ status: 'ok', value } as const) : ({ status: 'failed' } as const),
          )
      run.then(
        (r) => {
          if (r.status === 'ok') {
            log.info({ client: ip, login, plugin: r.value.plugin, method: auth.method }, 'smtp: login')
            return cb(null, { user: r.value as never })
          }
          o.onAuthFailure?.()
          if (r.status === 'refused') {
            log.warn({ client: ip, login }, 'smtp: login refused by the throttle')
            return cb(reply(454, `4.7.0 Too many failed logins, try again in ${r.retryAfterS} seconds`))
          }
          log.info({ client: ip, login }, 'smtp: login failed')
          cb(reply(535, '5.7.8 Authentication credentials invalid'))
        },
        (e) => cb(asReply(e, log)),
      )
    },

    onMailFrom(address, session, cb) {
      const u = userOf(session) ?? (o.anyLogin ? anyUser('') : undefined)
      if (!u) return cb(reply(530, '5.7.0 Authentication required'))
      const args = address.args as Record<string, string> | false
      const declared = (args && Number(args.SIZE)) || 0
      if (!u.auth.checkSubmit) return cb()
      u.auth.checkSubmit(u.principal, { envelope: { from: address.address, to: [] }, size: declared }).then(
        () => cb(),
        (e) => cb(asReply(e, log)),
      )
    },

    onRcptTo(address, session, cb) {
      if (!/^[^\s<>@]+@[^\s<>@]+$/.test(address.address))
        return cb(reply(553, `5.1.3 Invalid recipient address <${address.address}>`))
      if (session.envelope.rcptTo.length >= maxRecipients)
        return cb(reply(452, `4.5.3 Too many recipients (at most ${maxRecipients} per message)`))
      if (!o.checkRecipient) return cb()
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
      o.checkRecipient(from, address.address).then(
        () => cb(),
        (e) => cb(asReply(e, log)),
      )
    },

    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (c: Buffer) => {
        size += c.length
        // Past the limit: stop keeping the bytes; the message is refused at its end.
        if (size <= o.maxSize) chunks.push(c)
      })
      stream.on('error', (e) => cb(asReply(e, log)))
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > o.maxSize)
          return cb(reply(552, `5.3.4 Message too big: the limit is ${o.maxSize} bytes`))
        const raw = Buffer.concat(chunks, size)
        // A structure no reader could show (mailparser stops at 1,000 nodes) is refused here, not stored.
        const beyond = mimeBeyondLimits(raw, o.mimeLimits)
        if (beyond) return cb(reply(554, `5.6.0 Message structure refused: ${beyond}`))
        const u = userOf(session) ?? anyUser('')
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
        const envelope: Envelope = { from, to: session.envelope.rcptTo.map((r) => r.address) }
        ;(async () => {
          await u.auth.checkSubmit?.(u.principal, { envelope, size, headerFrom: headerFromOf(raw) })
          const m = await o.mail.submit({
            envelope,
            raw,
            plugin: u.plugin,
            ...(u.principal ? { principal: u.principal } : {}),
            via: 'smtp',
            clientAddress: session.remoteAddress,
            signal: signalOf(session),
          })
          // Accounting after the message is durable; a failure here must not lose or repeat it.
          await u.auth
            .accepted?.(u.principal, m)
            .catch((err) => log.error({ err, mail: m.id, plugin: u.plugin }, 'smtp: usage accounting failed'))
          return m
        })().then(
          (m) => cb(null, `2.0.0 Ok: queued as ${m.id}`),
          (e) => cb(asReply(e, log)),
        )
      })
    },
  })
  if (o.faults) installSmtpFaults(server, o.faults, log)
  let listening = false
  // Before it listens, an error is the listen's own: listen() rejects with it.
  server.on('error', (err) => {
    if (listening) log.warn({ err }, 'smtp: connection error')
  })

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const s = server.server
        s.once('error', reject)
        server.listen(port, host, () => {
          s.off('error', reject)
          listening = true
          resolve((s.address() as AddressInfo).port)
        })
      })
    },
    close() {
      closing = new MailRejection(421, '4.3.2 Service shutting down')
      for (const c of gone.values()) c.abort(closing)
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
