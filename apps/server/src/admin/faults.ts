import {
  ApiError,
  CORE_ERRORS,
  type MailfrontPlugin,
  type PluginContext,
  type PluginEnv,
  storeUnavailableApiError,
  z,
} from '@mailfront/core'
import { faultLatency } from '@mailfront/core/host'
import type { Context } from 'hono'

import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { AnyObject, error, json, jsonBody } from './schemas.ts'

/** A delay before the answer (HTTP) or the reply (SMTP). */
export const LatencyMs = z
  .number()
  .int()
  .min(0)
  .max(60_000)
  .optional()
  .describe('wait this many ms first (then the real answer, unless the fault answers)')

/** How often a fault fires, the same for every kind (HTTP or SMTP). */
export const Firing = {
  probability: z.number().min(0).max(1).default(1).describe('the chance each match fires (default 1)'),
  /** Fire this many times, then go away; unset: until cleared. */
  count: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('fire this many times, then go away (default: until cleared)'),
}

/** What every fault in the set has: where it applies (a plugin id, or `smtp`) and its firing state. */
export interface StoredFault {
  id: number
  plugin: string
  probability: number
  count?: number
  fired: number
}

/** A fault to inject on a plugin's requests: a delay, a status, the provider's own error, or several. */
export const FaultInput = z
  .object({
    plugin: z.string().min(1),
    /** A route template as the request log and /docs name it, e.g. `/restful/basic_user/:userId`. */
    route: z.string().startsWith('/').optional(),
    /** Or a request path, `*` matching anything. */
    path: z.string().startsWith('/').optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .transform((m) => m.toUpperCase())
      .optional(),
    latencyMs: LatencyMs,
    status: z.number().int().min(400).max(599).optional(),
    /** An error code of the plugin's own table (GET /_mailfront/faults lists them), e.g. RATE_LIMITED. */
    error: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE error code')
      .optional(),
    ...Firing,
  })
  .strict()
  .refine((f) => f.latencyMs !== undefined || f.status !== undefined || f.error !== undefined, {
    message: 'give latencyMs, status or error (or several)',
  })
  .refine((f) => !(f.route && f.path), { message: 'give route or path, not both' })
  .openapi('HttpFault')

export type Fault = z.infer<typeof FaultInput> & { id: number; fired: number }

/** Codes every plugin renders (defineErrors merges them into each table), with their default status. */
const CORE_DEFAULTS: Record<string, { status: number; message: string }> = CORE_ERRORS

export const errorCodesOf = (p: MailfrontPlugin) => [
  ...new Set([...Object.keys(p.http.errors), ...Object.keys(CORE_DEFAULTS)]),
]

/** A path segment decoded; a malformed %-sequence (which decodeURIComponent throws on) stays raw. */
function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg)
  } catch {
    return seg
  }
}

/**
 * An error table's message for this request: `<login>` in "no such user <login>" becomes the path's
 * value where the route template has `:login`; a placeholder the request does not name is dropped
 * (never sent as the literal `<login>`).
 */
export function fillPlaceholders(message: string, route?: string, path?: string): string {
  if (!message.includes('<')) return message
  const values: Record<string, string> = {}
  if (route && path) {
    const t = route.split('/')
    const p = path.split('/')
    if (t.length === p.length)
      t.forEach((seg, i) => {
        const m = /^:(\w+)/.exec(seg)
        if (m && p[i]) values[m[1]!] = decodeSegment(p[i]!)
      })
  }
  return message
    .replace(/ ?<(\w+)>/g, (all, name: string) =>
      name in values ? all.replace(`<${name}>`, values[name]!) : '',
    )
    .trim()
}

const globRe = (p: string) =>
  new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
/**
 * The faults in force. The fault middleware asks only when there is at least one, so an empty set costs a
 * length check per request.
 */
export class FaultSet {
  private faults: StoredFault[] = []
  private seq = 0

  /** Aborted when the runtime closes: a latency still waiting then ends, and no real handler runs. */
  private readonly closing = new AbortController()

  constructor(private readonly random: () => number = Math.random) {}

  /** The runtime is closing: every latency wait ends now and answers 503 (the store is going away). */
  close(): void {
    this.closing.abort()
  }

  get size(): number {
    return this.faults.length
  }

  add(plugin: MailfrontPlugin, input: z.infer<typeof FaultInput>): Fault {
    if (input.error && !errorCodesOf(plugin).includes(input.error))
      throw new RangeError(
        `plugin "${plugin.id}" has no error ${input.error} (known: ${errorCodesOf(plugin).join(', ')})`,
      )
    return this.insert(input)
  }

  /** Put a validated fault of any kind in the set, with its id. */
  insert<T extends Omit<StoredFault, 'id' | 'fired'>>(input: T): T & StoredFault {
    const f = { ...input, id: ++this.seq, fired: 0 }
    this.faults.push(f)
    return f
  }

  list(): StoredFault[] {
    return this.faults.map((f) => ({ ...f }))
  }

  /** The faults in force (live objects: read, never change them). */
  current(): readonly StoredFault[] {
    return this.faults
  }

  clear(): void {
    this.faults = []
  }

  /**
   * The fault that fires for this request, if any (its count is spent). `route` is the request's
   * route label (the matched route template under the mount prefix), `path` the request's path.
   */
  pick(plugin: string, route: string | undefined, method: string, path: string): Fault | undefined {
    return this.take((f): f is Fault => {
      if (f.plugin !== plugin) return false
      const h = f as Fault
      return (
        (!h.method || h.method === method) &&
        (!h.path || globRe(h.path).test(path)) &&
        (!h.route || route === h.route)
      )
    })
  }

  /**
   * The first fault that `applies` and fires (its probability drawn), its count spent: the one firing
   * rule of every fault kind, HTTP or SMTP.
   */
  take<F extends StoredFault>(applies: (f: StoredFault) => f is F): F | undefined {
    for (const f of this.faults) {
      if (!applies(f)) continue
      if (f.probability < 1 && this.random() >= f.probability) continue
      f.fired++
      if (f.count !== undefined && --f.count === 0) this.faults = this.faults.filter((x) => x !== f)
      return f
    }
    return undefined
  }

  /**
   * Apply a fault: wait, then answer in the provider's own format (the plugin renders the error), or
   * return undefined to let the request through after the delay.
   */
  async apply(
    f: Fault,
    plugin: MailfrontPlugin,
    ctx: PluginContext,
    c: Context,
    at: { route?: string; path?: string } = {},
  ): Promise<Response | undefined> {
    const waited = await faultLatency(f.latencyMs, AbortSignal.any([this.closing.signal, c.req.raw.signal]))
    // Cut short (the client left, the server is closing): the real handler must not run now.
    if (!waited) f = { ...f, error: 'SERVICE_UNAVAILABLE', status: undefined }
    if (f.error === undefined && f.status === undefined) return undefined
    let code = f.error
    if (!code) {
      // A bare status: the plugin's own error for that status (the core's name first, e.g. NOT_FOUND
      // rather than a more specific 404 of the plugin), else the core's by class.
      const own = Object.entries(plugin.http.errors).filter(([, d]) => d.status === f.status)
      code =
        own.find(([k]) => k in CORE_DEFAULTS)?.[0] ??
        own[0]?.[0] ??
        Object.entries(CORE_DEFAULTS).find(([, d]) => d.status === f.status)?.[0] ??
        (f.status! >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED')
    }
    const def = plugin.http.errors[code] ?? CORE_DEFAULTS[code]!
    // An outage as the core answers a real one: with Retry-After.
    const err =
      code === 'SERVICE_UNAVAILABLE'
        ? storeUnavailableApiError()
        : new ApiError(code, def.status, fillPlaceholders(def.message, at.route, at.path))
    const res = plugin.http.renderError(err, c as unknown as Context<PluginEnv>, ctx)
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.headers.set(k, v)
    if (f.status === undefined || res.status === f.status) return res
    const headers = new Headers(res.headers)
    return new Response(await res.arrayBuffer(), { status: f.status, headers })
  }
}

/** A fault kind of its own under a plugin name no HTTP plugin has (the SMTP port's `smtp`). */
export interface FaultKind {
  plugin: string
  /** What it is, in the unknown-plugin error: `the SMTP port`. */
  label: string
  input: z.ZodType<Omit<StoredFault, 'id' | 'fired'>>
  /** Shown by GET /_mailfront/faults under `plugin` (the SMTP stages). */
  info: unknown
  /** Why it takes no faults here (the SMTP port is off), if so. */
  off?: string
}

type FaultBody =
  | { kind: FaultKind; fault: Omit<StoredFault, 'id' | 'fired'> }
  | { kind?: undefined; fault: z.infer<typeof FaultInput> }

/**
 * A fault as POST /faults takes it: a plugin's, or another kind's by its plugin name; a bad one is a
 * 400 naming the first problem's field.
 */
async function faultBody(c: Context, kinds: FaultKind[]): Promise<FaultBody> {
  const body = await jsonBody(c, { invalid: () => 'the body must be JSON' })
  const named = (body as { plugin?: unknown } | null)?.plugin
  const kind = kinds.find((k) => k.plugin === named)
  if (kind?.off) throw new AdminError(400, `plugin: ${kind.off}`)
  const r = (kind?.input ?? FaultInput).safeParse(body)
  if (!r.success) {
    const i = r.error.issues[0]!
    throw new AdminError(400, `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
  }
  return kind
    ? { kind, fault: r.data as Omit<StoredFault, 'id' | 'fired'> }
    : { fault: r.data as z.infer<typeof FaultInput> }
}

const tags = ['faults']

export function faultRoutes(
  faults: FaultSet,
  plugins: () => MailfrontPlugin[],
  events?: { emit(type: string, data?: unknown): void },
  kinds: FaultKind[] = [],
): AdminRoutes {
  const live = kinds.filter((k) => !k.off)
  return (admin) => {
    const route = adminRoute(admin)
    route(
      {
        method: 'get',
        path: '/faults',
        tags,
        summary: "The faults in force, each plugin's error codes, and the SMTP stages",
        responses: {
          200: json(
            z.object({
              faults: z.array(AnyObject),
              errors: z.record(z.string(), z.array(z.string())),
              smtp: z
                .object({ stages: z.array(z.string()) })
                .optional()
                .describe('while the SMTP port is on'),
            }),
          ),
        },
      },
      (c) =>
        c.json({
          faults: faults.list(),
          errors: Object.fromEntries(plugins().map((p) => [p.id, errorCodesOf(p)])),
          ...Object.fromEntries(live.map((k) => [k.plugin, k.info])),
        }),
    )
    route(
      {
        method: 'post',
        path: '/faults',
        tags,
        summary:
          'Inject a fault: on a plugin (latency, a status, a provider error code), or on the SMTP port (plugin "smtp": a reply, latency or a drop at a stage; a rate limit per login)',
        request: {
          body: {
            required: true,
            content: {
              'application/json': {
                schema: kinds.length ? z.union([FaultInput, ...kinds.map((k) => k.input)]) : FaultInput,
              },
            },
          },
        },
        decode: { body: (c: Context) => faultBody(c, kinds) },
        responses: { 201: json(AnyObject, 'the fault'), 400: error('an invalid fault') },
      },
      (c, { body }) => {
        const added = (f: StoredFault) => {
          events?.emit('faults', { added: f.id })
          return c.json(f, 201)
        }
        if (body.kind) return added(faults.insert(body.fault))
        const input = body.fault
        const plugin = plugins().find((p) => p.id === input.plugin)
        if (!plugin)
          return c.json(
            {
              error: `plugin: no mounted plugin "${input.plugin}" (mounted: ${plugins()
                .map((p) => p.id)
                .join(', ')}${kinds.map((k) => `; ${k.plugin} for ${k.label}`).join('')})`,
            },
            400,
          )
        try {
          return added(faults.add(plugin, input))
        } catch (e) {
          return c.json({ error: `error: ${(e as Error).message}` }, 400)
        }
      },
    )
    route(
      {
        method: 'delete',
        path: '/faults',
        tags,
        summary: 'Clear every fault',
        responses: { 204: { description: 'cleared' } },
      },
      (c) => {
        faults.clear()
        events?.emit('faults', { cleared: true })
        return c.body(null, 204)
      },
    )
  }
}
