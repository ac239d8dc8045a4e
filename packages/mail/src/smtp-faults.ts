import type { Logger } from '@mailfront/core'
import type { SMTPServer, SMTPServerSession } from 'smtp-server'

/** The points of an SMTP session a fault can take: the greeting, EHLO/HELO, AUTH, MAIL, RCPT, DATA. */
export const SMTP_STAGES = ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data'] as const
export type SmtpStage = (typeof SMTP_STAGES)[number]

/**
 * What a fault does to one command: wait `latencyMs`, then answer `reply` instead of the real
 * handling, or close the connection without a word (`drop`), or (neither) let the command through.
 */
export interface SmtpFaultAction {
  latencyMs?: number
  /** `text` goes on the wire as given, after the code: an enhanced status code is part of it. */
  reply?: { code: number; text: string }
  drop?: boolean
}

/** The faults in force, as the port asks them (the server keeps them: POST /_mailfront/faults). */
export interface SmtpFaults {
  /** The fault of this stage that fires now, if any; `login` is the session's AUTH login once it has one. */
  at(stage: SmtpStage, login: string | undefined): Promise<SmtpFaultAction | undefined>
  /** A message was accepted from `login` (what a rate-limit fault counts). */
  accepted(login: string | undefined): Promise<void>
}

type Connection = SMTPServer['connections'] extends Set<infer C> ? C : never
type Callback = (err?: Error | null) => void

const replyError = (r: { code: number; text: string }) =>
  Object.assign(new Error(r.text), { responseCode: r.code })

/**
 * Put the faults in front of the port's own handlers. smtp-server has a hook for every stage but
 * EHLO/HELO; for those the connection's own `handler_EHLO`/`handler_HELO` (public methods of its
 * SMTPConnection, which dispatches each command to `this['handler_' + name]`) are wrapped on that one
 * connection, found in `server.connections` when it connects. Everything else goes through the
 * documented onConnect/onAuth/onMailFrom/onRcptTo/onData. A drop is the connection's own close(): the
 * socket ends with no reply. Replies go through smtp-server's send, which closes after a 421 as RFC
 * 5321 wants.
 */
export function installSmtpFaults(server: SMTPServer, faults: SmtpFaults, log: Logger): void {
  const logins = new WeakMap<SMTPServerSession, string>()
  const connectionOf = (session: SMTPServerSession): Connection | undefined => {
    for (const c of server.connections) if (c.session === session) return c
    return undefined
  }

  /** This stage's fault, if one fires: wait, then `refuse` with its reply or drop; else `next`. */
  const run = (
    stage: SmtpStage,
    session: SMTPServerSession,
    refuse: (err: Error) => void,
    next: () => void,
  ): void => {
    faults
      .at(stage, logins.get(session))
      .then(async (action) => {
        if (!action) return next()
        if (action.latencyMs) await new Promise((r) => setTimeout(r, action.latencyMs))
        log.info({ client: session.remoteAddress, stage, fault: action }, 'smtp: fault')
        if (action.drop) return connectionOf(session)?.close()
        if (action.reply) return refuse(replyError(action.reply))
        next()
      })
      .catch((err) => {
        // A fault must never break the port: log and carry on as if there were none.
        log.error({ err, stage }, 'smtp: fault failed')
        next()
      })
  }

  const { onConnect, onAuth, onMailFrom, onRcptTo, onData } = server
  server.onConnect = function (session, cb: Callback) {
    onConnect.call(this, session, (err) => {
      if (err) return cb(err)
      const conn = connectionOf(session)
      if (conn)
        for (const name of ['handler_EHLO', 'handler_HELO'] as const) {
          const real = conn[name]
          conn[name] = (command, done) =>
            run(
              'ehlo',
              session,
              (e) => {
                conn.send((e as Error & { responseCode: number }).responseCode, e.message, false)
                done()
              },
              () => real.call(conn, command, done),
            )
        }
      run('connect', session, cb, () => cb())
    })
  }
  server.onAuth = function (auth, session, cb) {
    run('auth', session, cb, () =>
      onAuth.call(this, auth, session, (err, response) => {
        if (!err && response?.user) logins.set(session, auth.username ?? '')
        cb(err, response)
      }),
    )
  }
  server.onMailFrom = function (address, session, cb) {
    run('mail', session, cb, () => onMailFrom.call(this, address, session, cb))
  }
  server.onRcptTo = function (address, session, cb) {
    run('rcpt', session, cb, () => onRcptTo.call(this, address, session, cb))
  }
  server.onData = function (stream, session, cb) {
    run(
      'data',
      session,
      (err) => {
        // The reply ends the DATA exchange, so the message is read to its end first.
        stream.on('end', () => cb(err))
        stream.resume()
      },
      () =>
        onData.call(this, stream, session, (err, message) => {
          if (err) return cb(err)
          faults.accepted(logins.get(session)).then(
            () => cb(null, message),
            (e) => {
              log.error({ err: e }, 'smtp: fault accounting failed')
              cb(null, message)
            },
          )
        }),
    )
  }
}
