/**
 * The plans: `free` and `startup` as the docs list them; the docs were cut off after them, and no
 * documented plan has advanced reporting, so `business` is ours (marked in the README), the plan
 * on which every route can be used. Prices are strings, as documented.
 */
export const PLANS = [
  {
    plan_id: 'dbef0751-42b7-424e-8d1f-4ad67c478a2d',
    name: 'free',
    description: 'Free plan',
    price_usd_per_month: '0.00',
    max_emails_per_month: 5000,
    enforce_plan_limit: true,
    extra_thousand_emails_cost: '',
    max_sending_profiles: 1,
    max_retention_days: 7,
    feature_email_validation: false,
    feature_basic_reporting: false,
    feature_advance_reporting: false,
  },
  {
    plan_id: '10e5dba8-903d-4623-afc6-0d4a17852931',
    name: 'startup',
    description: 'Startup plan',
    price_usd_per_month: '90.00',
    max_emails_per_month: 200000,
    enforce_plan_limit: false,
    extra_thousand_emails_cost: '0.80',
    max_sending_profiles: 2,
    max_retention_days: 30,
    feature_email_validation: true,
    feature_basic_reporting: true,
    feature_advance_reporting: false,
  },
  {
    plan_id: '7d3e6f0a-2c4b-4f5e-9a81-b6c2d4e8f013',
    name: 'business',
    description: 'Business plan',
    price_usd_per_month: '450.00',
    max_emails_per_month: 1000000,
    enforce_plan_limit: false,
    extra_thousand_emails_cost: '0.60',
    max_sending_profiles: 10,
    max_retention_days: 90,
    feature_email_validation: true,
    feature_basic_reporting: true,
    feature_advance_reporting: true,
  },
] as const

export type Plan = (typeof PLANS)[number]
export const FREE_PLAN = PLANS[0].plan_id
export const BUSINESS_PLAN = PLANS[2].plan_id
export const planById = (id: string): Plan | undefined => PLANS.find((p) => p.plan_id === id)

/** `GET /api/v1/account/billing/plan/current` names the plan `plan_name`. */
export const currentPlanView = (p: Plan) => {
  const { plan_id, name, description: _, ...rest } = p
  return { plan_id, plan_name: name, ...rest }
}

/**
 * Limits the plan table does not show (the docs' plan object has no such keys, so they stay off the
 * wire): ours, each plan's, enforced like the documented ones.
 */
export const HIDDEN_LIMITS: Record<
  Plan['name'],
  { max_templates: number; max_forms: number; max_api_keys: number }
> = {
  free: { max_templates: 10, max_forms: 1, max_api_keys: 2 },
  startup: { max_templates: 100, max_forms: 10, max_api_keys: 10 },
  business: { max_templates: 1000, max_forms: 100, max_api_keys: 50 },
}
