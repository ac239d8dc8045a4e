import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageQuery, MessageSummary, z } from '@mailfront/core'
import { type ParsedMessage, parseMessage } from '@mailfront/mail'
import type { FaultInput, StoredFault } from './admin/faults.ts'
import type { SmtpFault, SmtpFaultInput } from './admin/smtp-faults.ts'
import { waitFor } from './admin/wait.ts'
import { loadConfig } from './config.ts'
import { createLogger } from './log.ts'
import type { RequestEntry, RequestFilter } from './request-log.ts'
import { serve } from './serve.ts'

export type { RequestEntry, RequestFilter } from './request-log.ts'
/** For a test's webhook receiver: the header names and the check the README's verifier makes. */
export { verifyWebhook, WEBHOOK_HEADERS } from './webhooks/signature.ts'

export interface StartOptions {
  /** Plugin ids to mount; default every plugin. */
  plugins?: string[]
  /**
   * What the store holds at start and after each reset(): `'demo'` (the default: the plugins' demo data),
   * a fixtures document (the same shape as a fixtures file), a path to a fixtures file, or `false`.
   */
  fixtures?: 'demo' | Record<string, unknown> | string | false
  /** `'memory'` (default), `'sqlite'` (a file in a temporary directory), or any MAILFRONT_DATABASE_URL. */
  store?: 'memory' | 'sqlite' | string
  /** More MAILFRONT_* variables, e.g. `{ MAILFRONT_<PLUGIN>_<OPTION>: '0' }`. */
  env?: Record<string, string>
}

/** Filters of messages() and waitForMessage(): `q` full text; `from`, `to`, `subject` substrings; `plugin`. */
export type MessageFilter = Pick<MessageQuery, 'q' | 'from' | 'to' | 'subject' | 'plugin'>

/** A captured message: the pipeline's summary (envelope, recipients' states) and its parsed content. */
export type CapturedMessage = MessageSummary & ParsedMessage

export interface MailfrontInstance {
  /** `http://127.0.0.1:<port>`: give it to your client as the provider's base URL. */
  url: string
  /** The SMTP submission port on 127.0.0.1 (no STARTTLS; AUTH PLAIN/LOGIN with a plugin's login). */
  smtpPort: number
  /** Empty the store and load the fixtures again; clears the request log and the faults. */
  reset(): Promise<void>
  /** Requests received, newest first (secrets redacted), optionally filtered. */
  requests(filter?: RequestFilter): Promise<RequestEntry[]>
  /**
   * Mail captured by the server (over SMTP or a provider's send API), newest first, parsed: `subject`,
   * `from`, `to`, `text`, `html`, `headers`, `attachments`, plus the envelope and each recipient's state.
   * Filters as GET /_mailfront/messages: `from`, `to`, `subject` (substrings), `plugin`; `limit` (50).
   */
  messages(query?: MessageFilter & Pick<MessageQuery, 'limit'>): Promise<CapturedMessage[]>
  /**
   * The newest captured message matching `filter` (as messages()), waiting for it to arrive: resolves
   * as soon as one matches, rejects after `timeout` ms (default 10 000) naming the filter.
   */
  waitForMessage(filter?: MessageFilter, opts?: { timeout?: number }): Promise<CapturedMessage>
  /** One captured message's raw RFC 5322 source. */
  raw(id: string): Promise<string>
  /** Inject a fault (see POST /_mailfront/faults): a plugin's HTTP fault, or `plugin: 'smtp'`. */
  fault(f: z.input<typeof FaultInput> | z.input<typeof SmtpFaultInput>): Promise<void>
  faults: {
    /**
     * A fault on the SMTP port: `{stage: 'rcpt', reply: '451 4.7.1 try later'}` (the next RCPT gets
     * that reply), `{stage: 'data', drop: true}`, `{stage: 'mail', latencyMs: 500}`,
     * `{rateLimit: {messages: 3, perSeconds: 60}}` (421 4.7.0 per login); `probability`, `count`.
     */
    smtp(f: Omit<z.input<typeof SmtpFaultInput>, 'plugin'>): Promise<SmtpFault>
    /** The faults in force (HTTP and SMTP), each with how often it fired. */
    list(): Promise<StoredFault[]>
    /** Clear every fault (reset() does too). */
    clear(): Promise<void>
  }
  /**
   * The server's movable clock (POST /_mailfront/clock): token expiry, sessions, windows, the mail
   * queue's retries all read it, so a test moves it instead of sleeping. reset() puts it back too.
   */
  clock: {
    /** The server's time. */
    now(): Promise<Date>
    /** Forward by a duration (`31d`, `1h30m`, `90s`) or ms. */
    advance(by: string | number): Promise<Date>
    /** Jump to an instant (time runs on from there). */
    set(at: Date | string): Promise<Date>
    /** Back to the system time. */
    reset(): Promise<Date>
  }
  close(): Promise<void>
}

/**
 * Start mailfront in this process on a free loopback port, plain HTTP, for a test suite (vitest, jest,
 * node:test). Call close() when done.
 */
export async function startMailfront(opts: StartOptions = {}): Promise<MailfrontInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'mailfront-test-'))
  const store = opts.store ?? 'memory'
  const fixtures = opts.fixtures ?? 'demo'
  const config = loadConfig({
    MAILFRONT_HOST: '127.0.0.1',
    MAILFRONT_PORT: '0',
    MAILFRONT_TLS: 'off',
    MAILFRONT_DATA_DIR: dir,
    MAILFRONT_DATABASE_URL:
      store === 'memory' ? 'memory:' : store === 'sqlite' ? `sqlite:${join(dir, 'mailfront.db')}` : store,
    MAILFRONT_SECRET: randomBytes(32).toString('base64url'),
    MAILFRONT_LOG_LEVEL: 'silent',
    MAILFRONT_DEMO: fixtures === 'demo' ? 'on' : 'off',
    // A free port for SMTP too; mail is kept (captured), never delivered.
    MAILFRONT_SMTP_PORT: '0',
    MAILFRONT_MAIL_DELIVERY: 'capture',
    MAILFRONT_CLOCK: 'movable',
    ...(opts.plugins ? { MAILFRONT_PLUGINS: opts.plugins.join(',') } : {}),
    ...(typeof fixtures === 'string' && fixtures !== 'demo' ? { MAILFRONT_FIXTURES: fixtures } : {}),
    ...opts.env,
  })
  const running = await serve(config, createLogger('silent'), () => undefined, {
    fixtures: typeof fixtures === 'object' && fixtures ? fixtures : undefined,
  })
  const rt = running.runtime
  const captured = async (m: MessageSummary): Promise<CapturedMessage> => {
    const raw = await rt.mail.raw(m.id)
    return { ...m, ...(raw ? await parseMessage(raw) : { headers: [], attachments: [] }) }
  }
  const admin = async (path: string, init?: RequestInit) => {
    // With MAILFRONT_ADMIN_TOKEN in `env`, the admin API wants it from this process too.
    const auth: Record<string, string> = config.adminToken
      ? { Authorization: `Bearer ${config.adminToken}` }
      : {}
    const res = await fetch(`${running.url}/_mailfront${path}`, {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), ...auth },
    })
    if (!res.ok)
      throw new Error(
        `mailfront ${init?.method ?? 'GET'} /_mailfront${path}: ${res.status} ${await res.text()}`,
      )
    return res
  }
  const addFault = (f: object) =>
    admin('/faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(f),
    })
  const moveClock = async (body: unknown): Promise<Date> => {
    const res = await admin('/clock', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    return new Date(((await res.json()) as { now: string }).now)
  }
  return {
    url: running.url,
    smtpPort: running.smtp?.port ?? 0,
    async reset() {
      await rt.reset()
    },
    requests: (filter) => rt.requestLog.list(filter),
    async messages(query = {}) {
      const list = await rt.mail.list({ limit: 50, ...query })
      return Promise.all(list.map(captured))
    },
    async waitForMessage(filter = {}, opts = {}) {
      const timeout = opts.timeout ?? 10_000
      const found = await waitFor(
        rt.mail,
        async () => (await rt.mail.list({ ...filter, limit: 1 }))[0] ?? null,
        timeout,
      )
      if (!found)
        throw new Error(`mailfront: no message matching ${JSON.stringify(filter)} within ${timeout} ms`)
      return captured(found)
    },
    async raw(id) {
      const raw = await rt.mail.raw(id)
      if (!raw) throw new Error(`mailfront: no captured message ${id}`)
      return Buffer.from(raw).toString('utf8')
    },
    async fault(f) {
      await addFault(f)
    },
    faults: {
      smtp: async (f) => (await (await addFault({ plugin: 'smtp', ...f })).json()) as SmtpFault,
      list: async () => ((await (await admin('/faults')).json()) as { faults: StoredFault[] }).faults,
      clear: async () => {
        await admin('/faults', { method: 'DELETE' })
      },
    },
    clock: {
      now: async () => new Date(((await (await admin('/clock')).json()) as { now: string }).now),
      advance: (by) => moveClock({ advance: String(by) }),
      set: (at) => moveClock({ set: at instanceof Date ? at.toISOString() : at }),
      reset: () => moveClock({ reset: true }),
    },
    async close() {
      await running.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
