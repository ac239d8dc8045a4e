import {
  consumeCall,
  createRpcDispatcher,
  isStoreUnavailable,
  memoryRateLimitStore,
  type PasswordAuth,
  type PluginContext,
} from '@mailfront/core'
import { errors, type Lang, localised, RPC_MESSAGES } from './errors.ts'
import type { Call, MethodDef } from './method.ts'
import type { MailboxorgOptions } from './options.ts'
import { sessionCalls } from './rate-limits.ts'
import type { Sessions } from './sessions.ts'
import type { SessionRow } from './store.ts'

export interface HttpRequestInfo {
  token: string | undefined
  lang: Lang
  ip: string
}

/** One HTTP request as its calls see it: a batch shares the session lookup and the outage flag. */
interface Request extends HttpRequestInfo {
  /** One session lookup per HTTP request (reset by deauth). */
  session?: Promise<SessionRow | null>
  /** A store outage answers its call with -32000 and the whole HTTP answer with 503 (Retry-After). */
  unavailable: boolean
}

/** The mailbox.org dispatcher: the core engine, with sessions, levels and mailbox.org's errors. */
export function createDispatcher(
  ctx: PluginContext<MailboxorgOptions>,
  sessions: Sessions,
  passwords: PasswordAuth,
  methods: MethodDef[],
) {
  const opts = ctx.options
  // Per instance, in memory: a store write per call would cost more than the limit protects.
  const perSession = memoryRateLimitStore({ clock: ctx.clock })

  /** Who may call: a live session at an allowed level (admin always may), within its call rate. */
  async function sessionFor(m: MethodDef, req: Request): Promise<SessionRow | null> {
    if (m.access === 'anonymous') return null
    req.session ??= sessions.use(req.token)
    const s = await req.session
    if (!s) throw errors.INVALID_AUTH_ID()
    if (Array.isArray(m.access) && s.level !== 'admin' && !m.access.includes(s.level))
      throw errors.ACCESS_DENIED()
    const window = sessionCalls.window(opts)
    if (window) {
      const wait = await consumeCall(perSession, s.token_hash, window, ctx.clock)
      if (wait !== null) {
        ctx.events.rateLimited('mailboxorg')
        throw errors.RATE_LIMITED({ details: { seconds: wait } })
      }
    }
    return s
  }

  const dispatch = createRpcDispatcher({
    methods,
    maxBatch: opts.maxBatch,
    // The Python client sends None for every optional it was not given.
    nullIsAbsent: true,
    async context(m, req: Request): Promise<Call> {
      const session = await sessionFor(m, req)
      return { ctx, opts, sessions, session, token: req.token, lang: req.lang, ip: req.ip, passwords }
    },
    after(m, req) {
      if (m.name === 'deauth') req.session = Promise.resolve(null)
    },
    mapError(e, req, call) {
      if (!isStoreUnavailable(e)) return localised(e, req.lang)
      req.unavailable = true
      ctx.log.warn({ plugin: 'mailboxorg', method: call.method, reason: e.message }, 'store unavailable')
      return localised(errors.SERVICE_UNAVAILABLE(), req.lang)
    },
    onInternal: (err, _req, call) =>
      ctx.log.error({ err, plugin: 'mailboxorg', method: call.method }, 'JSON-RPC method failed'),
    messages: ({ lang }) => ({
      methodNotFound: RPC_MESSAGES.METHOD_NOT_FOUND[lang],
      invalidParams: RPC_MESSAGES.INVALID_PARAMS[lang],
      internal: RPC_MESSAGES.INTERNAL[lang],
    }),
  })

  /** What the HTTP layer sends: the JSON-RPC text (null: nothing), and whether the store was down. */
  return async function handle(body: string, info: HttpRequestInfo) {
    const req: Request = { ...info, unavailable: false }
    return { body: await dispatch(body, req), unavailable: req.unavailable }
  }
}

export type Dispatcher = ReturnType<typeof createDispatcher>
