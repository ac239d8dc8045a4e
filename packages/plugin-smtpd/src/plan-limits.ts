import type { PluginContext } from '@mailfront/core'
import { errors } from './errors.ts'
import { HIDDEN_LIMITS, type Plan, planById } from './plans.ts'
import { FORM, PROFILE, TEMPLATE } from './sending/models.ts'
import { ACCOUNT, type AccountRow, API_KEY } from './store.ts'

// The plan of an account, enforced: counts of profiles, templates, forms and active API keys,
// reporting features, and how long sends stay visible. The monthly send limit is in sends.ts.

const DAY_MS = 86_400_000

export async function planOf(ctx: PluginContext, accountId: string): Promise<Plan> {
  const a = await ctx.storage.findOne<AccountRow>({
    model: ACCOUNT,
    where: { field: 'id', value: accountId },
  })
  const plan = a && planById(a.plan_id)
  // Fixtures and signup accept only known plans; an account gone mid-request is a bad token.
  if (!plan) throw errors.BAD_TOKEN()
  return plan
}

const ROOMS = {
  profiles: { model: PROFILE, max: (p: Plan) => p.max_sending_profiles, error: 'PLAN_PROFILE_LIMIT' },
  templates: {
    model: TEMPLATE,
    max: (p: Plan) => HIDDEN_LIMITS[p.name].max_templates,
    error: 'PLAN_TEMPLATE_LIMIT',
  },
  forms: { model: FORM, max: (p: Plan) => HIDDEN_LIMITS[p.name].max_forms, error: 'PLAN_FORM_LIMIT' },
  api_keys: {
    model: API_KEY,
    max: (p: Plan) => HIDDEN_LIMITS[p.name].max_api_keys,
    error: 'PLAN_API_KEY_LIMIT',
  },
} as const
export type Room = keyof typeof ROOMS

/** Refuse to create one more of `kind` when the account's plan holds no more (disabled forms and revoked keys do not count). */
export async function requireRoom(ctx: PluginContext, accountId: string, kind: Room): Promise<void> {
  const room = ROOMS[kind]
  const max = room.max(await planOf(ctx, accountId))
  const live =
    kind === 'forms'
      ? [{ field: 'state', op: 'ne' as const, value: 'disabled' }]
      : kind === 'api_keys'
        ? [{ field: 'is_active', value: true }]
        : []
  const used = await ctx.storage.count({
    model: room.model,
    where: { and: [{ field: 'account_id', value: accountId }, ...live] },
  })
  if (used >= max) throw errors[room.error]()
}

/** Reporting: `basic` is the analysis summary, `advance` the engagement and bounce breakdowns. */
export async function requireReporting(
  ctx: PluginContext,
  accountId: string,
  level: 'basic' | 'advance',
): Promise<Plan> {
  const plan = await planOf(ctx, accountId)
  if (!(level === 'basic' ? plan.feature_basic_reporting : plan.feature_advance_reporting))
    throw errors.PLAN_FEATURE({
      message: `Your plan does not include ${level === 'basic' ? 'basic' : 'advanced'} reporting`,
    })
  return plan
}

/** The oldest time whose sends and events the plan still keeps (`max_retention_days`). */
export const retentionStart = (plan: Plan, now: number) => now - plan.max_retention_days * DAY_MS
