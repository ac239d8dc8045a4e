import type { Context } from 'hono'
import type { ZodType } from 'zod'

// One Hono handler per declared route, instead of zod-openapi's chain (the auth middleware, a
// decoder's middleware, one async validator per part, then the handler). Mounted into a host with
// route(), each handler of a plugin's app is wrapped in its error handler's compose (two async
// frames); one handler per route pays that once. Nothing here makes a promise that a step did not.

type C = Context
/** A step before the handler: undefined to go on, a Response to answer it instead. */
export type Step = (c: C) => Response | undefined | Promise<Response | undefined>
type Hook = (result: object, c: C) => unknown

const isPromise = (v: unknown): v is Promise<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function'

/** `f(v)`, or `v.then(f)` when `v` is a promise: no promise made for a plain value. */
export function andThen<T, U>(v: T | Promise<T>, f: (x: T) => U): U | Promise<Awaited<U>> {
  return isPromise(v) ? (v.then(f) as Promise<Awaited<U>>) : f(v as T)
}

/** The steps in order, then the handler; each step's wait only when it has one. */
export function oneHandler(steps: Step[], run: (c: C) => unknown): (c: C) => unknown {
  const n = steps.length
  const from = (c: C, start: number): unknown => {
    for (let i = start; i < n; i++) {
      const r = steps[i]!(c)
      if (r === undefined) continue
      if (isPromise(r)) return r.then((x) => (x === undefined ? from(c, i + 1) : x))
      return r
    }
    return run(c)
  }
  return (c) => from(c, 0)
}

/** What zod-openapi's validator reads for a part (Hono's `validator`: the same values). */
const readers = {
  param: (c: C) => c.req.param() as Record<string, string>,
  // fromEntries, not assignment: a `__proto__` key stays a key.
  query: (c: C) =>
    Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v])),
}

/**
 * zod-openapi's validator for a path or query part, with the same hook and answers, but parsed
 * synchronously unless the schema needs a promise (an async refinement).
 */
export function validateStep(target: keyof typeof readers, schema: ZodType, hook: Hook): Step {
  const read = readers[target]
  const settle = (c: C, value: unknown, result: ReturnType<ZodType['safeParse']>) =>
    andThen(hook({ data: value, ...result, target }, c), (h): Response | undefined => {
      if (h instanceof Response) return h
      if (h && typeof h === 'object' && 'response' in h) return h.response as Response
      if (!result.success) return c.json(result, 400)
      c.req.addValidatedData(target, result.data as object)
      return undefined
    })
  return (c) => {
    const value = read(c)
    let result: ReturnType<ZodType['safeParse']>
    try {
      result = schema.safeParse(value)
    } catch {
      // An async refinement or transform: parse as zod-openapi does.
      return schema.safeParseAsync(value).then((r) => settle(c, value, r))
    }
    return settle(c, value, result)
  }
}

type ErrorRenderer = (err: Error, c: C) => Response | Promise<Response>
export const COMPOSED_HANDLER = '__COMPOSED_HANDLER'

/**
 * A handler behind an app's error handler, as Hono's `route()` puts each handler of an app that has
 * one (an error is the app's answer, non-errors go on up; a handler's answer becomes the context's),
 * without the compose and two async frames `route()` makes per handler and request.
 */
export function withErrors<H extends (c: C, next: () => Promise<void>) => unknown>(
  handler: H,
  onError: ErrorRenderer,
): H {
  const fail = (c: C, err: unknown) => {
    if (!(err instanceof Error)) throw err
    c.error = err
    return andThen(onError(err, c), (res) => {
      if (res) c.res = res
      return c.res
    })
  }
  const settle = (c: C, res: unknown) => {
    if (res && c.finalized === false) c.res = res as Response
    return c.res
  }
  const wrapped = ((c: C, next: () => Promise<void>) => {
    let r: unknown
    try {
      r = handler(c, next)
    } catch (err) {
      return fail(c, err)
    }
    return isPromise(r)
      ? r.then(
          (x) => settle(c, x),
          (err) => fail(c, err),
        )
      : settle(c, r)
  }) as H
  // Hono's dev tools find the handler behind a wrapper by this key, as for route()'s own.
  Object.defineProperty(wrapped, COMPOSED_HANDLER, { value: handler })
  return wrapped
}
