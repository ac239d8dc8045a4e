import { requestPath } from '@mailfront/core/host'
import type { Context, MiddlewareHandler } from 'hono'
import type { ServerEnv } from './app-routing.ts'
import { lightCache } from './light-response.ts'
import { Redactor } from './redact.ts'

/** Characters of each body kept in the log. */
export const BODY_KEEP = 8192

export interface CapturedBody {
  /** The first BODY_KEEP characters, secrets redacted; null when there was none or it was streamed. */
  text: string | null
  truncated: boolean
  contentType?: string
}

export interface RequestEntry {
  id: number
  requestId: string
  time: string
  method: string
  path: string
  query: string
  plugin: string
  route: string
  status: number
  ms: number
  request: { headers: Record<string, string>; body: CapturedBody }
  response: { headers: Record<string, string>; body: CapturedBody }
}

export interface RequestFilter {
  plugin?: string
  method?: string
  /** A path prefix, or a pattern with `*`. */
  path?: string
  /** An exact status, or a class such as `4xx`. */
  status?: string
  limit?: number
}

/**
 * What is kept per request until someone reads it: references, no copies, no redaction yet. Every
 * field is set in the constructor (one object shape). The request's headers are Node's `rawHeaders`
 * array when there is one, not the `Headers` view over the `IncomingMessage`: the view would keep the
 * whole message alive (a third of an entry's bytes) until the ring overwrites it.
 */
class Raw {
  constructor(
    readonly id: number,
    readonly requestId: string,
    readonly at: number,
    readonly method: string,
    readonly path: string,
    readonly query: string,
    readonly plugin: string,
    readonly route: string,
    readonly status: number,
    readonly ms: number,
    readonly reqHeaders: Headers | string[],
    readonly reqBody: unknown,
    readonly res: Response,
    public resBody: unknown,
  ) {}
}

/** The request's headers as a web `Headers`, as @hono/node-server builds them from `rawHeaders`. */
function requestHeaders(h: Headers | string[]): Headers {
  if (!Array.isArray(h)) return h
  const out = new Headers()
  for (let i = 0; i < h.length; i += 2) if (!h[i]!.startsWith(':')) out.append(h[i]!, h[i + 1]!)
  return out
}

const cut = (s: string) => (s.length > BODY_KEEP ? s.slice(0, BODY_KEEP) : s)

// @hono/node-server's light Response keeps the body it was built from; reading it there costs
// nothing, where res.clone() would build a web Response and tee its stream.
const lightBody = (res: Response): unknown => lightCache(res)?.[1]

async function bodyText(
  body: unknown,
  redact: Redactor,
): Promise<{ text: string | null; truncated: boolean }> {
  let v = body
  if (v instanceof Promise) v = await v.catch(() => null)
  if (v === undefined || v === null) return { text: null, truncated: false }
  let text: string
  if (typeof v === 'string') text = v
  else if (v instanceof Uint8Array) text = Buffer.from(v.subarray(0, BODY_KEEP * 4)).toString('utf8')
  else if (v instanceof ArrayBuffer)
    text = Buffer.from(v, 0, Math.min(v.byteLength, BODY_KEEP * 4)).toString('utf8')
  else if (typeof v === 'object' && !(v as { getReader?: unknown }).getReader) text = JSON.stringify(v)
  else return { text: null, truncated: false } // a stream: not read twice
  return { text: redact.text(cut(text)), truncated: text.length > BODY_KEEP }
}

/** Read at most BODY_KEEP characters of a standard Response through a clone (off the Node fast path). */
async function cloneText(res: Response): Promise<string | null> {
  const type = res.headers.get('content-type') ?? ''
  if (!res.body || type.startsWith('text/event-stream')) return null
  const reader = res.clone().body!.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size <= BODY_KEEP * 4) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const HEADER_SKIP = new Set(['x-request-id'])
const headersOf = (h: Headers, redact: Redactor) => {
  const out: Record<string, string> = {}
  h.forEach((v, k) => {
    if (!HEADER_SKIP.has(k)) out[k] = v
  })
  return redact.headers(out)
}

/**
 * The request log: a bounded ring of the last `size` requests to the providers' paths. Capture only
 * keeps references (the body text the plugin already read, the response as built); truncation and
 * redaction happen when somebody reads the log.
 */
export class RequestLog {
  private ring: (Raw | undefined)[]
  private next = 0
  private seq = 0
  private listeners = new Set<(e: { id: number; method: string; path: string; status: number }) => void>()

  constructor(
    readonly size: number,
    private readonly redact = new Redactor(),
  ) {
    this.ring = new Array(size)
  }

  /** The entry's id, for `add`. */
  nextId(): number {
    return ++this.seq
  }

  add(raw: Raw): void {
    if (this.size === 0) return
    this.ring[this.next] = raw
    this.next = (this.next + 1) % this.size
    for (const l of this.listeners) l({ id: raw.id, method: raw.method, path: raw.path, status: raw.status })
  }

  clear(): void {
    this.ring = new Array(this.size)
    this.next = 0
  }

  /** Told of each new entry (for the live UI). Returns the unsubscribe. */
  subscribe(fn: (e: { id: number; method: string; path: string; status: number }) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Newest first, filtered. */
  async list(f: RequestFilter = {}): Promise<RequestEntry[]> {
    const pathRe = f.path?.includes('*')
      ? new RegExp(`^${f.path.split('*').map(escapeRe).join('.*')}$`)
      : undefined
    const out: RequestEntry[] = []
    for (let i = 1; i <= this.size; i++) {
      const r = this.ring[(this.next - i + this.size) % this.size]
      if (!r) break
      if (f.plugin && r.plugin !== f.plugin) continue
      if (f.method && r.method !== f.method.toUpperCase()) continue
      if (f.path && !(pathRe ? pathRe.test(r.path) : r.path.startsWith(f.path))) continue
      if (f.status && !statusMatches(f.status, r.status)) continue
      out.push(await this.render(r))
      if (f.limit && out.length >= f.limit) break
    }
    return out
  }

  private async render(r: Raw): Promise<RequestEntry> {
    const light = lightBody(r.res)
    const reqHeaders = requestHeaders(r.reqHeaders)
    const resText =
      light !== undefined
        ? await bodyText(light, this.redact)
        : await bodyText(r.resBody ?? (await cloneOnce(r)), this.redact)
    return {
      id: r.id,
      requestId: r.requestId,
      time: new Date(r.at).toISOString(),
      method: r.method,
      path: r.path,
      query: r.query ? this.redact.text(r.query) : '',
      plugin: r.plugin,
      route: r.route,
      status: r.status,
      ms: r.ms,
      request: {
        headers: headersOf(reqHeaders, this.redact),
        body: {
          ...(await bodyText(r.reqBody, this.redact)),
          contentType: reqHeaders.get('content-type') ?? undefined,
        },
      },
      response: {
        headers: headersOf(r.res.headers, this.redact),
        body: { ...resText, contentType: r.res.headers.get('content-type') ?? undefined },
      },
    }
  }
}

async function cloneOnce(r: Raw): Promise<string | null> {
  r.resBody ??= await cloneText(r.res).catch(() => null)
  return r.resBody as string | null
}

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

function statusMatches(f: string, status: number): boolean {
  const m = /^([1-5])xx$/i.exec(f)
  return m ? Math.floor(status / 100) === Number(m[1]) : Number(f) === status
}

/** Paths of mailfront itself, which are not provider traffic and stay out of the log. */
const OWN =
  /^\/(?:_mailfront(?:\/|$)|docs(?:\/|$)|openapi|openrpc(?:\.json$|\/)|healthz$|readyz$|metrics$|ui\/|$)/

/**
 * The capturing middleware: runs after the plugin answered; `label` names the plugin and the route
 * that matched.
 */
export function requestLogMiddleware(
  log: RequestLog,
  label: (c: Context<ServerEnv>) => { plugin: string; route: string },
): MiddlewareHandler<ServerEnv> {
  // Not async: the only wait is the handler's.
  return (c, next) => {
    const at = Date.now()
    const started = performance.now()
    return next().then(() => {
      const path = requestPath(c)
      if (log.size === 0 || OWN.test(path)) return
      const info = c.get('mailfront')
      // A body parsed by a route's validator (not through readBodyText): keep its promise.
      if (info && info.body === undefined) {
        const cache = (c.req as unknown as { bodyCache?: Record<string, Promise<unknown>> }).bodyCache
        const parsed = cache && (cache.text ?? cache.json ?? cache.parsedBody)
        if (parsed) info.body = parsed
      }
      const { plugin, route } = label(c)
      const url = c.req.url
      const q = url.indexOf('?')
      const res = c.res
      const ms = Math.round((performance.now() - started) * 100) / 100
      // Node's own header array (the plugins only read the request's headers, never change them).
      const rawHeaders = c.env?.incoming?.rawHeaders
      // A standard (non-light) Response's body can only be read before it is sent: take the copy now.
      const resBody = lightBody(res) === undefined && res.body ? cloneText(res).catch(() => null) : undefined
      const raw = new Raw(
        log.nextId(),
        info?.requestId ?? '',
        at,
        c.req.method,
        path,
        q < 0 ? '' : url.slice(q + 1),
        plugin,
        c.get('mount') ? route : '',
        res.status,
        ms,
        rawHeaders ?? c.req.raw.headers,
        info?.body,
        res,
        resBody,
      )
      log.add(raw)
    })
  }
}
