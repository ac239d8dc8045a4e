import {
  ApiError,
  CORE_ERRORS,
  type MailfrontPlugin,
  type PluginContext,
  type PluginEnv,
  storeUnavailableApiError,
  z,
} from '@mailfront/core'
import type { Context } from 'hono'

import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { AnyObject, error, json } from './schemas.ts'

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
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    /** An error code of the plugin's own table (GET /_mailfront/faults lists them), e.g. RATE_LIMITED. */
    error: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE error code')
      .optional(),
    probability: z.number().min(0).max(1).default(1),
    /** Fire this many times, then go away; unset: until cleared. */
    count: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((f) => f.latencyMs !== undefined || f.status !== undefined || f.error !== undefined, {
    message: 'give latencyMs, status or error (or several)',
  })
  .refine((f) => !(f.route && f.path), { message: 'give route or path, not both' })

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
  private faults: Fault[] = []
  private seq = 0

  constructor(private readonly random: () => number = Math.random) {}

  get size(): number {
    return this.faults.length
  }

  add(plugin: MailfrontPlugin, input: z.infer<typeof FaultInput>): Fault {
    if (input.error && !errorCodesOf(plugin).includes(input.error))
      throw new RangeError(
        `plugin "${plugin.id}" has no error ${input.error} (known: ${errorCodesOf(plugin).join(', ')})`,
      )
    const f: Fault = { ...input, id: ++this.seq, fired: 0 }
    this.faults.push(f)
    return f
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.faults = []
  }

  /**
   * The fault that fires for this request, if any (its count is spent). `route` is the request's
   * route label (the matched route template under the mount prefix), `path` the request's path.
   */
  pick(plugin: string, route: string | undefined, method: string, path: string): Fault | undefined {
    for (const f of this.faults) {
      if (f.plugin !== plugin) continue
      if (f.method && f.method !== method) continue
      if (f.path && !globRe(f.path).test(path)) continue
      if (f.route && route !== f.route) continue
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
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs))
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

/** A fault as POST /faults takes it; a bad one is a 400 naming the first problem's field. */
async function faultBody(c: Context): Promise<z.infer<typeof FaultInput>> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new AdminError(400, 'the body must be JSON')
  }
  const r = FaultInput.safeParse(body)
  if (!r.success) {
    const i = r.error.issues[0]!
    throw new AdminError(400, `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
  }
  return r.data
}

const tags = ['faults']

export function faultRoutes(
  faults: FaultSet,
  plugins: () => MailfrontPlugin[],
  events?: { emit(type: string, data?: unknown): void },
): AdminRoutes {
  return (admin) => {
    const route = adminRoute(admin)
    route(
      {
        method: 'get',
        path: '/faults',
        tags,
        summary: "The faults in force and each plugin's error codes",
        responses: {
          200: json(
            z.object({ faults: z.array(AnyObject), errors: z.record(z.string(), z.array(z.string())) }),
          ),
        },
      },
      (c) =>
        c.json({
          faults: faults.list(),
          errors: Object.fromEntries(plugins().map((p) => [p.id, errorCodesOf(p)])),
        }),
    )
    route(
      {
        method: 'post',
        path: '/faults',
        tags,
        summary: 'Inject a fault: latency, a status, or a provider error code',
        request: { body: { required: true, content: { 'application/json': { schema: FaultInput } } } },
        decode: { body: faultBody },
        responses: { 201: json(AnyObject, 'the fault'), 400: error('an invalid fault') },
      },
      (c, { body }) => {
        const plugin = plugins().find((p) => p.id === body.plugin)
        if (!plugin)
          return c.json(
            {
              error: `plugin: no mounted plugin "${body.plugin}" (mounted: ${plugins()
                .map((p) => p.id)
                .join(', ')})`,
            },
            400,
          )
        try {
          const added = faults.add(plugin, body)
          events?.emit('faults', { added: added.id })
          return c.json(added, 201)
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
