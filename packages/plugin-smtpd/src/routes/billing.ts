import { createRoute, type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import type { Authorize } from '../auth.ts'
import { smtpdError } from '../errors.ts'
import { currentPlanView, PLANS, planById } from '../plans.ts'
import { usageOf } from '../sending/usage.ts'
import { ACCOUNT, type AccountRow } from '../store.ts'
import { accountRoutes, type C, json } from './common.ts'
import { errorResponses, idParam, Plan, Usage } from './schemas.ts'

/** Plans (public: signup needs a plan id), the account's current plan and its usage. */
export function registerBilling(app: OpenAPIHono<PluginEnv>, ctx: PluginContext, authorize: Authorize) {
  const db = ctx.storage
  const { get, route } = accountRoutes(app, authorize)

  const plans = createRoute({
    method: 'get',
    path: '/api/v1/billing/plan',
    operationId: 'smtpdPlans',
    summary: 'Every plan (no auth)',
    responses: { 200: json(z.array(Plan), 'Plans') },
  })
  app.openapi(plans, ((c: C) => c.json(PLANS)) as never)
  app.get('/api/v1/billing/plans', (c) => c.json(PLANS))
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/billing/plan/{id}',
      operationId: 'smtpdPlan',
      summary: 'One plan (no auth)',
      request: { params: idParam },
      responses: { 200: json(Plan, 'The plan'), ...errorResponses('BAD_ID') },
    }),
    ((c: C) => {
      const plan = planById(c.req.param('id')!)
      if (!plan) throw smtpdError('BAD_ID')
      return c.json(plan)
    }) as never,
  )
  route(
    get(
      '/api/v1/account/billing/plan/current',
      'smtpdCurrentPlan',
      'The plan of the account',
      json(z.record(z.string(), z.unknown()), 'Current plan'),
    ),
    'read',
    async (c, p) => {
      const a = await db.findOne<AccountRow>({ model: ACCOUNT, where: { field: 'id', value: p!.accountId } })
      const plan = a && planById(a.plan_id)
      if (!plan) throw smtpdError('BAD_ID')
      return c.json(currentPlanView(plan))
    },
  )
  route(
    get(
      '/api/v1/account/billing/usage',
      'smtpdUsage',
      'Sends of the current plan period (the calendar month, UTC) by state category',
      json(Usage, 'Usage'),
    ),
    'read',
    async (c, p) => c.json(await usageOf(ctx, p!.accountId)),
  )
}
