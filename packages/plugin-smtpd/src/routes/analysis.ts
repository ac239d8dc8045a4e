import { type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { requireReporting, retentionStart } from '../plan-limits.ts'
import { SEND_EVENT, type SendEventRow } from '../sending/models.ts'
import type { Sending } from '../sending/service.ts'
import { authed, json, smtpdRoutes } from './common.ts'
import { Period } from './sending-schemas.ts'

const DAY = 86_400_000
/** The summary's keys and the event each counts (`bounce` is the event `bounced`). */
const SUMMARY_KEYS = {
  accepted: 'accepted',
  bounce: 'bounced',
  click: 'click',
  delivered: 'delivered',
  open: 'open',
  processed: 'processed',
  queued: 'queued',
  rejected: 'rejected',
  sent: 'sent',
} as const

/**
 * `from`/`to`: epoch seconds or milliseconds (the docs say both in different places; values above
 * 1e12 are milliseconds). Default the last 31 days; at most 365 days. Echoed in the unit given.
 */
export function periodOf(q: { from?: string | undefined; to?: string | undefined }, now: number) {
  const ms = (v: string) => (Number(v) > 1e12 ? Number(v) : Number(v) * 1000)
  const inMs = q.from ? Number(q.from) > 1e12 : q.to ? Number(q.to) > 1e12 : false
  const to = q.to ? ms(q.to) : now
  const from = q.from ? ms(q.from) : to - 31 * DAY
  if (from > to) throw errors.VALIDATION_FAILED({ message: 'Validation failed: from: after to' })
  if (to - from > 365 * DAY)
    throw errors.VALIDATION_FAILED({
      message: 'Validation failed: to: the period is at most 365 days',
    })
  const echo = (v: number) => (inMs ? v : Math.floor(v / 1000))
  return { from, to, period: { from: echo(from), to: echo(to) } }
}

const Grouped = z
  .object({
    total: z.number().int(),
    group_by: z.record(z.string(), z.number().int()),
    period: z.object({ from: z.number().int(), to: z.number().int() }),
  })
  .openapi('SmtpdGroupedSummary')

/** Device class of an opener or clicker, from the user agent. */
const device = (ua: string) =>
  !ua
    ? 'unknown'
    : /ipad|tablet/i.test(ua)
      ? 'tablet'
      : /mobile|iphone|android/i.test(ua)
        ? 'mobile'
        : 'desktop'
/** The SMTP reply code of a bounce (`550`), or `unknown`. */
const replyCode = (detail: string) => /\b([45]\d\d)\b/.exec(detail)?.[1] ?? 'unknown'

export function registerAnalysis(app: OpenAPIHono<PluginEnv>, authorize: Authorize, sending: Sending) {
  const { ctx } = sending
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)
  // [from, to], both ends included (`to` defaults to now); the previous period ends before `from`.
  const within = (accountId: string, from: number, to: number, types?: string[], toIncluded = true) => ({
    and: [
      { field: 'account_id', value: accountId },
      { field: 'created_at', op: 'gte' as const, value: from },
      { field: 'created_at', op: toIncluded ? ('lte' as const) : ('lt' as const), value: to },
      ...(types ? [{ field: 'type', op: 'in' as const, value: types }] : []),
    ],
  })

  route(
    authed('read', {
      method: 'get',
      path: '/api/v1/analysis/summary',
      operationId: 'smtpdAnalysisSummary',
      summary: 'Events by type in the period and the one before it, with the difference',
      request: { query: Period },
      ok: {
        status: 200,
        body: json(
          z.object({
            group_by: z.record(
              z.string(),
              z.object({ current: z.number().int(), previous: z.number().int(), delta: z.number().int() }),
            ),
            period: z.object({ from: z.number().int(), to: z.number().int() }),
          }),
          'Summary',
        ),
      },
      errors: ['VALIDATION_FAILED', 'PLAN_FEATURE'],
    }),
    async (c, { auth: p, query }) => {
      const now = ctx.clock.now()
      const plan = await requireReporting(ctx, p.accountId, 'basic')
      const { from, to, period } = periodOf(query, now)
      const span = to - from
      // Events older than the plan keeps are gone: they count in neither period.
      const kept = retentionStart(plan, now)
      const group_by: Record<string, { current: number; previous: number; delta: number }> = {}
      for (const [key, type] of Object.entries(SUMMARY_KEYS)) {
        const [current, previous] = await Promise.all([
          db.count({ model: SEND_EVENT, where: within(p.accountId, Math.max(from, kept), to, [type]) }),
          db.count({
            model: SEND_EVENT,
            where: within(p.accountId, Math.max(from - span, kept), from, [type], false),
          }),
        ])
        group_by[key] = { current, previous, delta: current - previous }
      }
      return c.json({ group_by, period })
    },
  )

  const grouped = (
    path: string,
    operationId: string,
    summary: string,
    types: string[],
    key: (e: SendEventRow) => string,
  ) =>
    route(
      authed('read', {
        method: 'get',
        path,
        operationId,
        summary,
        request: { query: Period },
        ok: { status: 200, body: json(Grouped, summary) },
        errors: ['VALIDATION_FAILED', 'PLAN_FEATURE'],
      }),
      async (c, { auth: p, query }) => {
        const now = ctx.clock.now()
        const plan = await requireReporting(ctx, p.accountId, 'advance')
        const { from, to, period } = periodOf(query, now)
        const rows = await db.findMany<SendEventRow>({
          model: SEND_EVENT,
          where: within(p.accountId, Math.max(from, retentionStart(plan, now)), to, types),
        })
        const group_by: Record<string, number> = {}
        for (const e of rows) group_by[key(e)] = (group_by[key(e)] ?? 0) + 1
        return c.json({ total: rows.length, group_by, period })
      },
    )
  grouped(
    '/api/v1/analysis/engagement/delivery/domain/summary',
    'smtpdDeliveryByDomain',
    'Deliveries by recipient domain',
    ['delivered'],
    (e) => e.recipient_domain,
  )
  grouped(
    '/api/v1/analysis/engagement/device/summary',
    'smtpdEngagementByDevice',
    'Opens and clicks by device type (desktop, mobile, tablet, unknown), from the user agent',
    ['open', 'click'],
    (e) => device(e.user_agent),
  )
  grouped('/api/v1/analysis/bounce/summary', 'smtpdBounces', 'Bounces by SMTP reply code', ['bounced'], (e) =>
    replyCode(e.detail),
  )
  grouped(
    '/api/v1/analysis/bounce/domain/summary',
    'smtpdBouncesByDomain',
    'Bounces by recipient domain',
    ['bounced'],
    (e) => e.recipient_domain,
  )
}
