import { type MethodDef, methodTable } from './method.ts'
import { handleRpc, RPC_CODES, type RpcCall, RpcError } from './protocol.ts'

/** The engine's own messages (the client's language, say); English by default. */
export interface RpcMessages {
  methodNotFound: string
  invalidParams: string
  internal: string
}

const ENGLISH: RpcMessages = {
  methodNotFound: 'Method not found',
  invalidParams: 'Invalid params',
  internal: 'Internal error',
}

/**
 * What a plugin decides; `Q` is its per-request value (from the HTTP layer: headers, language, and
 * any state the calls of one batch share), `C` the call context its handlers get.
 */
export interface RpcDispatcherOptions<M extends MethodDef, Q, C> {
  methods: readonly M[]
  /** Calls a batch may hold. */
  maxBatch: number
  /**
   * Run for a method found, before its params are read: check access (throw RpcError to refuse) and
   * return what its handler gets.
   */
  context(method: M, req: Q, call: RpcCall): Promise<C> | C
  /** After a handler answered (e.g. a logout forgets the batch's session). */
  after?(method: M, req: Q): void
  /**
   * Any error thrown by a call, turned into what to answer: an RpcError is sent, anything else
   * becomes -32603 (and `onInternal`). Without it, errors pass as they are.
   */
  mapError?(err: unknown, req: Q, call: RpcCall): unknown
  /** Log an unexpected error (its details never reach the client). */
  onInternal(err: unknown, req: Q, call: RpcCall): void
  messages?(req: Q): RpcMessages
  /** Take a null param as one not given (clients that send null for every optional left out). */
  nullIsAbsent?: boolean
}

/**
 * A JSON-RPC 2.0 dispatcher over a method table: parse, batch, notifications, lookup (aliases too),
 * positional params named in the declared order, params validated by each method's zod schema.
 * Returns the JSON text to send, or null for nothing (HTTP 204).
 */
export function createRpcDispatcher<M extends MethodDef, Q, C>(o: RpcDispatcherOptions<M, Q, C>) {
  const byName = methodTable(o.methods)
  const dropNulls = (p: Record<string, unknown>) =>
    o.nullIsAbsent ? Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null)) : p

  /** Positional params are named in the order the method declares them. */
  function named(m: M, call: RpcCall, msg: RpcMessages): Record<string, unknown> {
    if (!call.positional) return dropNulls(call.params)
    const names = Object.keys(m.params.shape)
    if (call.positional.length > names.length)
      throw new RpcError(RPC_CODES.invalidParams, msg.invalidParams, [
        { path: [], message: `at most ${names.length} positional params (${names.join(', ')})` },
      ])
    return dropNulls(Object.fromEntries(call.positional.map((v, i) => [names[i], v])))
  }

  async function invoke(call: RpcCall, req: Q, msg: RpcMessages): Promise<unknown> {
    const m = byName.get(call.method)
    if (!m) throw new RpcError(RPC_CODES.methodNotFound, msg.methodNotFound)
    const ctx = await o.context(m, req, call)
    const parsed = m.params.safeParse(named(m, call, msg))
    if (!parsed.success)
      throw new RpcError(
        RPC_CODES.invalidParams,
        msg.invalidParams,
        parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
      )
    const result = await m.handler(parsed.data, ctx)
    o.after?.(m, req)
    return result
  }

  return function dispatch(body: string, req: Q): Promise<string | null> {
    const msg = o.messages?.(req) ?? ENGLISH
    return handleRpc(
      {
        maxBatch: o.maxBatch,
        internalMessage: msg.internal,
        onInternal: (err, call) => o.onInternal(err, req, call),
        async invoke(call) {
          try {
            return await invoke(call, req, msg)
          } catch (e) {
            throw o.mapError ? o.mapError(e, req, call) : e
          }
        },
      },
      body,
    )
  }
}
