/**
 * JSON-RPC 2.0 on the wire, independent of HTTP and of the methods served: the request and answer
 * shapes, one request's checks, and a body's batch rules. https://www.jsonrpc.org/specification
 */

export type RpcId = string | number | null

/** An answer with an error: thrown by a method (or a hook) to answer its call with it. */
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

/** The specification's own error codes. */
export const RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const

export interface RpcCall {
  method: string
  /** Named params; `{}` when none were given (`""`, `{}`, `[]`, `null` or missing). */
  params: Record<string, unknown>
  /** Positional params as sent, for the method to name (null when given by name or absent). */
  positional: unknown[] | null
  id: RpcId | undefined
  notification: boolean
}

export type RpcAnswer =
  | { jsonrpc: '2.0'; result: unknown; id: RpcId }
  | { jsonrpc: '2.0'; error: { code: number; message: string; data?: unknown }; id: RpcId }

export const rpcErrorAnswer = (id: RpcId, code: number, message: string, data?: unknown): RpcAnswer => ({
  jsonrpc: '2.0',
  error: data === undefined ? { code, message } : { code, message, data },
  id,
})

/** An error answer's JSON text with a null id (for errors outside any call: routing, body limit). */
export const rpcErrorBody = (code: number, message: string, data?: unknown): string =>
  JSON.stringify(rpcErrorAnswer(null, code, message, data))

const validId = (id: unknown): id is RpcId =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))

const invalid = (id: RpcId) => rpcErrorAnswer(id, RPC_CODES.invalidRequest, 'Invalid Request')

/** Check one request object: the call, or the error answer (id echoed when it can be) when it is not one. */
export function parseRpcRequest(req: unknown): RpcCall | RpcAnswer {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return invalid(null)
  const r = req as Record<string, unknown>
  const hasId = 'id' in r
  if (hasId && !validId(r.id)) return invalid(null)
  const id = hasId ? (r.id as RpcId) : null
  if (r.jsonrpc !== '2.0') return invalid(id)
  if (typeof r.method !== 'string' || r.method === '') return invalid(id)
  const p = r.params
  let params: Record<string, unknown> = {}
  let positional: unknown[] | null = null
  // "" as no params: PHP clients send it for an empty array.
  if (p === undefined || p === null || p === '') params = {}
  else if (Array.isArray(p)) positional = p.length ? p : null
  else if (typeof p === 'object') params = p as Record<string, unknown>
  else return invalid(id)
  return { method: r.method, params, positional, id: hasId ? id : undefined, notification: !hasId }
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

async function answer(engine: RpcEngine, req: unknown): Promise<RpcAnswer | null> {
  const call = parseRpcRequest(req)
  if ('jsonrpc' in call) return call
  const id = call.id ?? null
  try {
    const result = await engine.invoke(call)
    if (call.notification) return null
    // A null result reads as a failure in PHP clients: never send one.
    return { jsonrpc: '2.0', result: result ?? true, id }
  } catch (e) {
    if (call.notification) {
      if (!(e instanceof RpcError)) engine.onInternal(e, call)
      return null
    }
    if (e instanceof RpcError) return rpcErrorAnswer(id, e.code, e.message, e.data)
    engine.onInternal(e, call)
    return rpcErrorAnswer(id, RPC_CODES.internalError, engine.internalMessage ?? 'Internal error')
  }
}

/** Answer a request body: the JSON text to send, or null when nothing is to be sent (HTTP 204). */
export async function handleRpc(engine: RpcEngine, body: string): Promise<string | null> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return rpcErrorBody(RPC_CODES.parseError, 'Parse error')
  }
  if (!Array.isArray(parsed)) {
    const a = await answer(engine, parsed)
    return a ? JSON.stringify(a) : null
  }
  if (parsed.length === 0) return JSON.stringify(invalid(null))
  if (parsed.length > engine.maxBatch)
    return rpcErrorBody(
      RPC_CODES.invalidRequest,
      'Invalid Request',
      `a batch may hold at most ${engine.maxBatch} calls`,
    )
  // One after another: answers keep the request order, and calls on the same object never race.
  const out: RpcAnswer[] = []
  for (const req of parsed) {
    const a = await answer(engine, req)
    if (a) out.push(a)
  }
  return out.length ? JSON.stringify(out) : null
}
