/**
 * A strict JSON-RPC 2.0 engine, independent of HTTP and of the methods it serves.
 * https://www.jsonrpc.org/specification
 */

export type RpcId = string | number | null

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}

export const PARSE_ERROR = -32700
export const INVALID_REQUEST = -32600
export const METHOD_NOT_FOUND = -32601
export const INVALID_PARAMS = -32602
export const INTERNAL_ERROR = -32603

export interface RpcCall {
  method: string
  /** Named params; `{}` when none were given (`""`, `{}`, `[]`, `null` or missing). */
  params: Record<string, unknown>
  /** Positional params as sent, for the method to name (null when given by name or absent). */
  positional: unknown[] | null
  id: RpcId | undefined
  notification: boolean
}

export interface RpcEngine {
  /** Run one call. Throw RpcError for an answer with an error; anything else becomes -32603. */
  invoke(call: RpcCall): Promise<unknown>
  maxBatch: number
  /** Log an unexpected error (its details never reach the client). */
  onInternal(err: unknown, call: RpcCall): void
  /** Message of -32603, localisable. */
  internalMessage?: string
}

type Answer = { jsonrpc: '2.0'; result: unknown; id: RpcId } | { jsonrpc: '2.0'; error: object; id: RpcId }

const errorAnswer = (id: RpcId, code: number, message: string, data?: unknown): Answer => ({
  jsonrpc: '2.0',
  error: data === undefined ? { code, message } : { code, message, data },
  id,
})

const validId = (id: unknown): id is RpcId =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))

/** Check the request object; an error answer (id as echoed as possible) when it is not one. */
function toCall(req: unknown): RpcCall | Answer {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return errorAnswer(null, INVALID_REQUEST, 'Invalid Request')
  const r = req as Record<string, unknown>
  const hasId = 'id' in r
  const id = hasId && validId(r.id) ? r.id : null
  if (hasId && !validId(r.id)) return errorAnswer(null, INVALID_REQUEST, 'Invalid Request')
  if (r.jsonrpc !== '2.0') return errorAnswer(id, INVALID_REQUEST, 'Invalid Request')
  if (typeof r.method !== 'string' || r.method === '')
    return errorAnswer(id, INVALID_REQUEST, 'Invalid Request')
  const p = r.params
  let params: Record<string, unknown> = {}
  let positional: unknown[] | null = null
  if (p === undefined || p === null || p === '') params = {}
  else if (Array.isArray(p)) positional = p.length ? p : null
  else if (typeof p === 'object') params = p as Record<string, unknown>
  else return errorAnswer(id, INVALID_REQUEST, 'Invalid Request')
  return { method: r.method, params, positional, id: hasId ? id : undefined, notification: !hasId }
}

async function answer(engine: RpcEngine, req: unknown): Promise<Answer | null> {
  const call = toCall(req)
  if ('jsonrpc' in call) return call
  try {
    const result = await engine.invoke(call)
    if (call.notification) return null
    // A null result reads as a failure in the PHP clients: never send one.
    return { jsonrpc: '2.0', result: result ?? true, id: call.id ?? null }
  } catch (e) {
    if (call.notification) {
      if (!(e instanceof RpcError)) engine.onInternal(e, call)
      return null
    }
    if (e instanceof RpcError) return errorAnswer(call.id ?? null, e.code, e.message, e.data)
    engine.onInternal(e, call)
    return errorAnswer(call.id ?? null, INTERNAL_ERROR, engine.internalMessage ?? 'Internal error')
  }
}

/** Answer a request body: the JSON text to send, or null when nothing is to be sent (HTTP 204). */
export async function handleRpc(engine: RpcEngine, body: string): Promise<string | null> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return JSON.stringify(errorAnswer(null, PARSE_ERROR, 'Parse error'))
  }
  if (!Array.isArray(parsed)) {
    const a = await answer(engine, parsed)
    return a ? JSON.stringify(a) : null
  }
  if (parsed.length === 0) return JSON.stringify(errorAnswer(null, INVALID_REQUEST, 'Invalid Request'))
  if (parsed.length > engine.maxBatch)
    return JSON.stringify(
      errorAnswer(
        null,
        INVALID_REQUEST,
        'Invalid Request',
        `a batch may hold at most ${engine.maxBatch} calls`,
      ),
    )
  // One after another: answers keep the request order, and calls on the same object never race.
  const out: Answer[] = []
  for (const req of parsed) {
    const a = await answer(engine, req)
    if (a) out.push(a)
  }
  return out.length ? JSON.stringify(out) : null
}
