import { z } from '@mailfront/core'
import { ERRORS, type SmtpdErrorName } from '../errors.ts'
import { KEY_ROLES, USER_ROLES } from '../roles.ts'

export const ErrorBody = z.object({ code: z.number().int(), message: z.string() }).openapi('SmtpdError')

/** OpenAPI responses for the errors a route can answer, grouped by status. */
export function errorResponses(...names: SmtpdErrorName[]) {
  const by: Record<number, string[]> = {}
  for (const n of names) {
    by[ERRORS[n].status] ??= []
    by[ERRORS[n].status]!.push(`${ERRORS[n].code} ${ERRORS[n].message}`)
  }
  return Object.fromEntries(
    Object.entries(by).map(([s, d]) => [
      s,
      { description: d.join('; '), content: { 'application/json': { schema: ErrorBody } } },
    ]),
  )
}

export const TokenResponse = z
  .object({
    token_type: z.literal('bearer'),
    access_token: z.string().describe('HS256 JWT'),
    expires_at: z.number().int().describe('Unix milliseconds'),
    Scope: z.array(z.string()).describe('the role (capital S, as documented)'),
    refresh_token: z.string().length(128),
  })
  .openapi('SmtpdTokens')

export const Me = z
  .object({
    id: z.string(),
    account_id: z.string(),
    email_address: z.string(),
    first_name: z.string(),
    surname: z.string(),
    gravatar_url: z.string(),
    is_owner: z.boolean(),
    is_verified: z.boolean(),
    created_at_utc: z.number().int().describe('milliseconds, as the seed shows'),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdMe')

export const Account = z
  .object({
    id: z.string(),
    account_name: z.string(),
    user_count: z.number().int(),
    api_key_count: z.number().int(),
    billing_contact_email_address: z.string(),
    plan_id: z.string(),
    is_verified: z.boolean(),
    created_at_utc: z.number().int(),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdAccount')

export const Signup = z
  .object({
    terms: z.literal(true, { message: 'the terms must be accepted' }),
    full_name: z.string().min(1).max(200),
    plan_id: z.string().uuid(),
    country: z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. AUS'),
    password: z.string().min(8).max(256),
    email_address: z.string().email(),
    account_name: z.string().min(1).max(100),
  })
  .openapi('SmtpdSignup')

export const User = z
  .object({
    id: z.string(),
    account_id: z.string(),
    email_address: z.string(),
    first_name: z.string(),
    surname: z.string(),
    role: z.string(),
    is_owner: z.boolean(),
    is_verified: z.boolean(),
    created_at_utc: z.number().int(),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdUser')

export const NewUser = z
  .object({
    email_address: z.string().email(),
    password: z.string().min(8).max(256),
    first_name: z.string().max(100).default(''),
    surname: z.string().max(100).default(''),
    role: z.enum(USER_ROLES),
  })
  .openapi('SmtpdNewUser')

export const ApiKey = z
  .object({
    id: z.string(),
    account_id: z.string(),
    name: z.string(),
    key: z.string(),
    role: z.string(),
    is_active: z.boolean(),
    last_accessed_at_utc: z.number().int(),
    created_at_utc: z.number().int(),
    modified_at_utc: z.number().int(),
  })
  .openapi('SmtpdApiKey')

export const NewApiKey = z
  .object({ role: z.enum(KEY_ROLES), name: z.string().min(1).max(100) })
  .openapi('SmtpdNewApiKey')

export const CreatedKey = z
  .object({
    ID: z.string(),
    Name: z.string(),
    Key: z.string(),
    Secret: z.string().describe('shown only here'),
  })
  .openapi('SmtpdCreatedApiKey')

export const Plan = z
  .object({
    plan_id: z.string(),
    name: z.string(),
    description: z.string(),
    price_usd_per_month: z.string(),
    max_emails_per_month: z.number().int(),
    enforce_plan_limit: z.boolean(),
    extra_thousand_emails_cost: z.string(),
    max_sending_profiles: z.number().int(),
    max_retention_days: z.number().int(),
    feature_email_validation: z.boolean(),
    feature_basic_reporting: z.boolean(),
    feature_advance_reporting: z.boolean(),
  })
  .openapi('SmtpdPlan')

export const Usage = z
  .object({ total: z.number().int(), total_by_category: z.record(z.string(), z.number().int()) })
  .openapi('SmtpdUsage')

export const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })
