import { type Clock, z } from '@mailfront/core'
import { type MovableClock, parseDuration } from '@mailfront/core/host'
import type { Context } from 'hono'
import { AdminError, type AdminRoutes, adminRoute } from './app.ts'
import { error, json, jsonBody } from './schemas.ts'

/** One of advance (a duration such as `31d`, `1h30m`, `-2h`), set (an ISO instant) or reset. */
export const ClockInput = z.union([
  z.object({ advance: z.string().min(1) }).strict(),
  z.object({ set: z.string().min(1) }).strict(),
  z.object({ reset: z.literal(true) }).strict(),
])

const ClockView = z.object({ now: z.iso.datetime(), movable: z.boolean(), offsetMs: z.number() })

const view = (clock: Clock, movable?: MovableClock) => ({
  now: new Date(clock.now()).toISOString(),
  movable: !!movable,
  offsetMs: movable?.offset() ?? 0,
})

/** How far from real time the clock may be moved: beyond it, dates stop being printable. */
const MAX_OFFSET_MS = 100 * 365.25 * 86_400_000

/** A RangeError unless `at` lies within ±100 years of the real now. */
function checkWithinRange(at: number, what: string): void {
  if (!(Math.abs(at - Date.now()) <= MAX_OFFSET_MS))
    throw new RangeError(`${what} would put the clock more than 100 years from the real time`)
}

/** Apply a ClockInput; a RangeError names what is wrong with it. */
export function moveClock(clock: MovableClock, input: z.infer<typeof ClockInput>): void {
  if ('reset' in input) clock.reset()
  else if ('advance' in input) {
    const ms = parseDuration(input.advance)
    checkWithinRange(clock.now() + ms, `advance: "${input.advance}"`)
    clock.advance(ms)
  } else {
    // A full ISO instant with its zone: a bare date or local time would depend on the server's zone.
    const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(input.set)
      ? Date.parse(input.set)
      : Number.NaN
    if (Number.isNaN(at))
      throw new RangeError(
        `set: "${input.set}" is not an ISO instant with a zone (e.g. 2027-01-01T00:00:00Z)`,
      )
    checkWithinRange(at, `set: "${input.set}"`)
    clock.set(at)
  }
}

/**
 * GET /clock: the time every rule reads. POST /clock moves it, when MAILFRONT_CLOCK made it movable
 * (409 otherwise: a server on a shared address keeps the system time unless the operator chose).
 */
export function clockRoutes(
  clock: Clock,
  movable: MovableClock | undefined,
  events?: { emit(type: string, data?: unknown): void },
): AdminRoutes {
  /** The move asked for; a clock that is not movable refuses before its body is read. */
  const move = async (c: Context) => {
    if (!movable) throw new AdminError(409, 'the clock is not movable: start with MAILFRONT_CLOCK=movable')
    const body = await jsonBody(c, { invalid: () => 'the body must be JSON' })
    const r = ClockInput.safeParse(body)
    if (!r.success)
      throw new AdminError(400, 'give one of {"advance": "31d"}, {"set": "<ISO instant>"}, {"reset": true}')
    return r.data
  }
  return (admin) => {
    const route = adminRoute(admin)
    const tags = ['clock']
    route(
      {
        method: 'get',
        path: '/clock',
        tags,
        summary: 'The time every rule reads: {now, movable, offsetMs}',
        responses: { 200: json(ClockView) },
      },
      (c) => c.json(view(clock, movable)),
    )
    route(
      {
        method: 'post',
        path: '/clock',
        tags,
        summary: 'Move the clock: {advance: "31d"}, {set: "<ISO instant>"} or {reset: true}',
        request: { body: { required: true, content: { 'application/json': { schema: ClockInput } } } },
        decode: { body: move },
        responses: {
          200: json(ClockView, 'the clock after the move'),
          400: error('a bad move'),
          409: error('the clock is not movable (MAILFRONT_CLOCK)'),
        },
      },
      (c, { body }) => {
        try {
          moveClock(movable!, body)
        } catch (e) {
          return c.json({ error: (e as Error).message }, 400)
        }
        const out = view(clock, movable)
        events?.emit('clock', out)
        return c.json(out)
      },
    )
  }
}
