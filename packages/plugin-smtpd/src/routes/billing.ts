import { type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { currentPlanView, PLANS, planById } from '../plans.ts'
import { usageOf } from '../sending/usage.ts'
import { ACCOUNT, type AccountRow } from '../store.ts'
import { accountGet, json, smtpdRoutes } from './common.ts'
import { errorResponses, idParam, Plan, Usage } from './schemas.ts'

/** Plans (public: signup needs a plan id), the account's current plan and its usage. */
export function registerBilling(app: OpenAPIHono<PluginEnv>, ctx: PluginContext, authorize: Authorize) {
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)

  route(
    {
      method: 'get',
      path: '/api/v1/billing/plan',
      // The plural, as some clients write it.
      aliases: ['/api/v1/billing/plans'],
      operationId: 'smtpdPlans',
      summary: 'Every plan (no auth)',
      responses: { 200: json(z.array(Plan), 'Plans') },
    },
    (c) => c.json(PLANS),
  )
  route(
    {
      method: 'get',
      path: '/api/v1/billing/plan/{id}',
      operationId: 'smtpdPlan',
      summary: 'One plan (no auth)',
      request: { params: idParam },
      responses: { 200: json(Plan, 'The plan'), ...errorResponses('BAD_ID') },
    },
    (c, { params }) => {
      const plan = planById(params.id)
      if (!plan) throw errors.BAD_ID()
      return c.json(plan)
    },
  )
  route(
    {
      ...accountGet(
        '/api/v1/account/billing/plan/current',
        'smtpdCurrentPlan',
        'The plan of the account',
        json(z.record(z.string(), z.unknown()), 'Current plan'),
      ),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const a = await db.findOne<AccountRow>({ model: ACCOUNT, where: { field: 'id', value: p.accountId } })
      const plan = a && planById(a.plan_id)
      if (!plan) throw errors.BAD_ID()
      return c.json(currentPlanView(plan))
    },
  )
  route(
    {
      ...accountGet(
        '/api/v1/account/billing/usage',
        'smtpdUsage',
        'Sends of the current plan period (the calendar month, UTC) by state category',
        json(Usage, 'Usage'),
      ),
      need: 'read',
    },
    async (c, { auth: p }) => c.json(await usageOf(ctx, p.accountId)),
  )
}
