import {
  isStoreUnavailable,
  LoginThrottle,
  memoryRateLimitStore,
  type PluginContext,
  retryAfterSeconds,
} from '@mailfront/core'
import { appError, type Lang, RPC_MESSAGES } from './errors.ts'
import {
  handleRpc,
  INVALID_PARAMS,
  METHOD_NOT_FOUND,
  type RpcCall,
  type RpcEngine,
  RpcError,
} from './jsonrpc.ts'
import type { Call, MailboxorgOptions, MethodDef } from './method.ts'
import type { Sessions } from './sessions.ts'
import type { SessionRow } from './store.ts'

export interface HttpRequestInfo {
  token: string | undefined
  lang: Lang
  ip: string
}

/** A null param is one not given: the Python client sends None for every optional it was not given. */
const withoutNulls = (params: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null))

/** Positional params are named in the order the method declares them. */
function namedParams(m: MethodDef, call: RpcCall, lang: Lang): Record<string, unknown> {
  if (!call.positional) return withoutNulls(call.params)
  const names = Object.keys(m.params.shape)
  if (call.positional.length > names.length)
    throw new RpcError(INVALID_PARAMS, RPC_MESSAGES.INVALID_PARAMS[lang], [
      { path: [], message: `at most ${names.length} positional params (${names.join(', ')})` },
    ])
  return withoutNulls(Object.fromEntries(call.positional.map((v, i) => [names[i], v])))
}

/** The mailbox.org dispatcher: methods by name, sessions, levels, params validated by each method's zod. */
export function createDispatcher(
  ctx: PluginContext,
  opts: MailboxorgOptions,
  sessions: Sessions,
  methods: MethodDef[],
) {
  const byName = new Map<string, MethodDef>()
  for (const m of methods) for (const n of [m.name, ...(m.aliases ?? [])]) byName.set(n, m)
  // Per instance, in memory: a store write per call would cost more than the limit protects.
  const perSession = memoryRateLimitStore({ clock: ctx.clock })
  const loginThrottle = new LoginThrottle(ctx.rateLimits, {
    scope: 'mailboxorg',
    limits: opts.login,
    clock: ctx.clock,
    onRefused: () => ctx.events.rateLimited('mailboxorg'),
  })

  /** What the HTTP layer sends: the JSON-RPC text (null: nothing), and whether the store was down. */
  type Answer = { body: string | null; unavailable: boolean }

  return async function handle(body: string, req: HttpRequestInfo): Promise<Answer> {
    const { lang } = req
    // A store outage answers its call with -32000 and the whole HTTP answer with 503 (Retry-After).
    let unavailable = false
    // One session lookup per HTTP request, shared by the calls of a batch (reset by deauth).
    let session: Promise<SessionRow | null> | undefined
    const engine: RpcEngine = {
      maxBatch: opts.maxBatch,
      internalMessage: RPC_MESSAGES.INTERNAL[lang],
      onInternal: (err, call) =>
        ctx.log.error({ err, plugin: 'mailboxorg', method: call.method }, 'JSON-RPC method failed'),
      async invoke(rpc) {
        try {
          return await invoke(rpc)
        } catch (e) {
          if (!isStoreUnavailable(e)) throw e
          unavailable = true
          ctx.log.warn({ plugin: 'mailboxorg', method: rpc.method, reason: e.message }, 'store unavailable')
          throw appError('SERVICE_UNAVAILABLE', lang)
        }
      },
    }
    async function invoke(rpc: RpcCall) {
      const m = byName.get(rpc.method)
      if (!m) throw new RpcError(METHOD_NOT_FOUND, RPC_MESSAGES.METHOD_NOT_FOUND[lang])
      let s: SessionRow | null = null
      if (m.access !== 'anonymous') {
        session ??= sessions.use(req.token)
        s = await session
        if (!s) throw appError('INVALID_AUTH_ID', lang)
        if (Array.isArray(m.access) && s.level !== 'admin' && !m.access.includes(s.level))
          throw appError('ACCESS_DENIED', lang)
        if (opts.sessionCallsPerMin) {
          const r = await perSession.consume(s.token_hash, {
            windowMs: 60_000,
            max: opts.sessionCallsPerMin,
          })
          if (!r.allowed) {
            ctx.events.rateLimited('mailboxorg')
            throw appError('RATE_LIMITED', lang, { seconds: retryAfterSeconds(r.resetAt, ctx.clock.now()) })
          }
        }
      }
      const parsed = m.params.safeParse(namedParams(m, rpc, lang))
      if (!parsed.success)
        throw new RpcError(
          INVALID_PARAMS,
          RPC_MESSAGES.INVALID_PARAMS[lang],
          parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
        )
      const call: Call = {
        ctx,
        opts,
        sessions,
        session: s,
        token: req.token,
        lang,
        ip: req.ip,
        loginThrottle,
      }
      const result = await m.handler(parsed.data, call)
      if (m.name === 'deauth') session = Promise.resolve(null)
      return result
    }
    const out = await handleRpc(engine, body)
    return { body: out, unavailable }
  }
}

export type Dispatcher = ReturnType<typeof createDispatcher>
