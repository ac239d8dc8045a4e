import type { Logger } from '@mailfront/core'
import { faultLatency } from '@mailfront/core/host'
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

/** What a rate limit says at MAIL FROM: a refusal, or the count it took and how to give it back. */
export type SmtpReservation = { refusal: SmtpFaultAction } | { giveBack(): Promise<void> }

/** The faults in force, as the port asks them (the server keeps them: POST /_mailfront/faults). */
export interface SmtpFaults {
  /** The fault of this stage that fires now, if any; `login` is the session's AUTH login once it has one. */
  at(stage: SmtpStage, login: string | undefined): Promise<SmtpFaultAction | undefined>
  /**
   * At MAIL FROM, count the message about to be sent by `login` against the rate limits (what a
   * rate-limit fault counts), before it is sent: parallel sessions of one login cannot all pass the
   * check first. The port gives the count back when the message is not accepted after all.
   */
  reserve(login: string | undefined): Promise<SmtpReservation>
}

type Connection = SMTPServer['connections'] extends Set<infer C> ? C : never
type Callback = (err?: Error | null) => void
/** What onData's callback answers a message with. */
type DataMessage = Parameters<Parameters<SMTPServer['onData']>[2]>[1]

const replyError = (r: { code: number; text: string }) =>
  Object.assign(new Error(r.text), { responseCode: r.code })
const SHUTTING_DOWN = { code: 421, text: '4.3.2 Service shutting down' }
const HANDLER_FAILED = { code: 451, text: '4.3.0 Local error in processing' }

/** A callback that answers once: whatever a handler does after its first answer is ignored. */
function once<A extends unknown[]>(cb: (...a: A) => void): (...a: A) => void {
  let called = false
  return (...a) => {
    if (called) return
    called = true
    cb(...a)
  }
}

/**
 * Put the faults in front of the port's own handlers. smtp-server has a hook for every stage but
 * EHLO/HELO; for those the connection's own `handler_EHLO`/`handler_HELO` (public methods of its
 * SMTPConnection, which dispatches each command to `this['handler_' + name]`) are wrapped on that one
 * connection, found in `server.connections` when it connects. Everything else goes through the
 * documented onConnect/onAuth/onMailFrom/onRcptTo/onData. A drop is the connection's own close(): the
 * socket ends with no reply. Replies go through smtp-server's send, which closes after a 421 as RFC
 * 5321 wants. A latency's wait ends early when the session closes or the listener is closed: the real
 * handler then never runs (on a closing listener the client is told 421).
 */
export function installSmtpFaults(server: SMTPServer, faults: SmtpFaults, log: Logger): void {
  const logins = new WeakMap<SMTPServerSession, string>()
  const ended = new WeakMap<SMTPServerSession, AbortController>()
  /** The rate-limit count a session's current transaction holds, until its message is accepted. */
  const held = new WeakMap<SMTPServerSession, () => Promise<void>>()
  const closing = new AbortController()
  const connectionOf = (session: SMTPServerSession): Connection | undefined => {
    for (const c of server.connections) if (c.session === session) return c
    return undefined
  }
  const endedOf = (session: SMTPServerSession) => {
    const c = ended.get(session) ?? new AbortController()
    ended.set(session, c)
    return c
  }
  /** Aborts when the session ends or the listener is closed. */
  const signalOf = (session: SMTPServerSession) => AbortSignal.any([closing.signal, endedOf(session).signal])
  const giveBack = (session: SMTPServerSession) => {
    const back = held.get(session)
    held.delete(session)
    back?.().catch((err) => log.error({ err }, 'smtp: fault accounting failed'))
  }

  /** Call a real handler; one that throws answers 451 (its callback answers once: see `once`). */
  const guarded = (stage: SmtpStage, refuse: (err: Error) => void, handler: () => void) => {
    try {
      handler()
    } catch (err) {
      log.error({ err, stage }, 'smtp: handler failed')
      refuse(replyError(HANDLER_FAILED))
    }
  }

  /** Wait the action's latency; false (the session or listener closed meanwhile) means stop here. */
  const waited = async (
    session: SMTPServerSession,
    action: SmtpFaultAction,
    refuse: (err: Error) => void,
  ): Promise<boolean> => {
    if (await faultLatency(action.latencyMs, signalOf(session))) return true
    if (closing.signal.aborted && connectionOf(session)) refuse(replyError(SHUTTING_DOWN))
    return false
  }

  /** This stage's fault, if one fires: wait, then `refuse` with its reply or drop; else `next`. */
  const run = (
    stage: SmtpStage,
    session: SMTPServerSession,
    refuse: (err: Error) => void,
    next: () => void,
  ): void => {
    const apply = async (action: SmtpFaultAction | undefined) => {
      if (action && !(await waited(session, action, refuse))) return
      if (action) log.info({ client: session.remoteAddress, stage, fault: action }, 'smtp: fault')
      if (action?.drop) return connectionOf(session)?.close()
      if (action?.reply) return refuse(replyError(action.reply))
      guarded(stage, refuse, next)
    }
    faults.at(stage, logins.get(session)).then(apply, (err) => {
      // A fault that cannot be looked up must never break the port: log and carry on without one.
      log.error({ err, stage }, 'smtp: fault failed')
      guarded(stage, refuse, next)
    })
  }

  const { onConnect, onAuth, onMailFrom, onRcptTo, onData, onClose } = server
  const close = server.close
  server.close = function (callback) {
    closing.abort()
    return close.call(this, callback)
  }
  server.onClose = function (session, cb) {
    endedOf(session).abort()
    giveBack(session)
    onClose.call(this, session, cb)
  }
  server.onConnect = function (session, callback: Callback) {
    const cb = once(callback)
    onConnect.call(this, session, (err) => {
      if (err) return cb(err)
      const conn = connectionOf(session)
      if (conn)
        for (const name of ['handler_EHLO', 'handler_HELO'] as const) {
          const real = conn[name]
          conn[name] = (command, callback) => {
            const done = once(callback)
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
        }
      run('connect', session, cb, () => cb())
    })
  }
  server.onAuth = function (auth, session, callback) {
    const cb = once(callback)
    run('auth', session, cb, () =>
      onAuth.call(this, auth, session, (err, response) => {
        if (!err && response?.user) logins.set(session, auth.username ?? '')
        cb(err, response)
      }),
    )
  }
  server.onMailFrom = function (address, session, callback) {
    const cb = once(callback)
    // A transaction that ended without its message (RSET, EHLO, a refusal) gives its count back.
    giveBack(session)
    const mailFrom = () =>
      run('mail', session, cb, () =>
        onMailFrom.call(this, address, session, (err) => {
          if (err) giveBack(session)
          cb(err)
        }),
      )
    faults.reserve(logins.get(session)).then(
      (r) => {
        if ('refusal' in r) {
          log.info({ client: session.remoteAddress, stage: 'mail', fault: r.refusal }, 'smtp: fault')
          return cb(replyError(r.refusal.reply!))
        }
        held.set(session, r.giveBack)
        mailFrom()
      },
      (err) => {
        log.error({ err }, 'smtp: fault accounting failed')
        mailFrom()
      },
    )
  }
  server.onRcptTo = function (address, session, callback) {
    const cb = once(callback)
    run('rcpt', session, cb, () => onRcptTo.call(this, address, session, cb))
  }
  server.onData = function (stream, session, callback) {
    const answer = once(callback)
    // The message was not accepted: the rate limit's count goes back.
    const cb = (err?: Error | null, message?: DataMessage) => {
      if (err) giveBack(session)
      else held.delete(session)
      answer(err, message)
    }
    /** The fault of the data stage applies at the message's end: the body is read first. */
    const atEnd = async (action: SmtpFaultAction, err?: Error | null, message?: DataMessage) => {
      if (!(await faultLatency(action.latencyMs, signalOf(session)))) {
        // Closing: the real handler has had its say (the message may be stored), so that is the answer.
        if (!connectionOf(session)) return
        return action.reply || action.drop ? cb(replyError(SHUTTING_DOWN)) : cb(err, message)
      }
      log.info({ client: session.remoteAddress, stage: 'data', fault: action }, 'smtp: fault')
      if (action.drop) {
        giveBack(session)
        return connectionOf(session)?.close()
      }
      if (action.reply) return cb(replyError(action.reply))
      cb(err, message)
    }
    const real = (action?: SmtpFaultAction) =>
      guarded('data', cb, () =>
        onData.call(this, stream, session, (err, message) =>
          action ? void atEnd(action, err, message) : cb(err, message),
        ),
      )
    faults.at('data', logins.get(session)).then(
      (action) => {
        if (!action) return real()
        if (!action.reply && !action.drop) return real(action)
        stream.on('end', () => void atEnd(action))
        stream.resume()
      },
      (err) => {
        log.error({ err, stage: 'data' }, 'smtp: fault failed')
        real()
      },
    )
  }
}
