/** The plans of the docs (later ones were cut off there). Prices are strings, as documented. */
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
] as const

export type Plan = (typeof PLANS)[number]
export const FREE_PLAN = PLANS[0].plan_id
export const planById = (id: string): Plan | undefined => PLANS.find((p) => p.plan_id === id)

/** `GET /api/v1/account/billing/plan/current` names the plan `plan_name`. */
export const currentPlanView = (p: Plan) => {
  const { plan_id, name, description: _, ...rest } = p
  return { plan_id, plan_name: name, ...rest }
}
