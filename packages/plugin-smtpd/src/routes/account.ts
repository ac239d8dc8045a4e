import { createRoute, type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import type { Context } from 'hono'
import { createAccount, createApiKey, createUser } from '../accounts.ts'
import { type Authorize, schemes } from '../auth.ts'
import { smtpdError } from '../errors.ts'
import { currentPlanView, PLANS, planById } from '../plans.ts'
import type { Permission } from '../roles.ts'
import { usageOf } from '../sending/usage.ts'
import {
  ACCOUNT,
  type AccountRow,
  API_KEY,
  type ApiKeyRow,
  accountView,
  apiKeyView,
  USER,
  type UserRow,
  userView,
} from '../store.ts'
import type { Tokens } from '../tokens.ts'
import {
  Account,
  ApiKey,
  CreatedKey,
  errorResponses,
  idParam,
  NewApiKey,
  NewUser,
  Plan,
  Signup,
  Usage,
  User,
} from './schemas.ts'

type C = Context<PluginEnv>
const bearer: Record<string, string[]>[] = [schemes.bearer.security, schemes.keySecret.security]
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
const AUTH_ERRORS = ['BAD_TOKEN', 'TOKEN_EXPIRED', 'FORBIDDEN_ROLE', 'RATE_LIMITED'] as const

export function registerAccount(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  tokens: Tokens,
  authorize: Authorize,
) {
  const db = ctx.storage
  const get = (
    path: string,
    operationId: string,
    summary: string,
    ok: ReturnType<typeof json>,
    extra: object = {},
  ) =>
    createRoute({
      method: 'get',
      path,
      operationId,
      summary,
      security: bearer,
      ...extra,
      responses: { 200: ok, ...errorResponses(...AUTH_ERRORS, 'BAD_ID') },
    })
  const route = <R extends ReturnType<typeof createRoute>>(
    r: R,
    need: Permission | null,
    h: (c: C, p: Awaited<ReturnType<Authorize>> | null) => Promise<Response>,
  ) => app.openapi(r, (async (c: C) => h(c, need === null ? null : await authorize(c, need))) as never)

  const ownKey = async (c: C, accountId: string) => {
    const k = await db.findOne<ApiKeyRow>({
      model: API_KEY,
      where: { field: 'id', value: c.req.param('id')! },
    })
    if (!k || k.account_id !== accountId) throw smtpdError('BAD_ID')
    return k
  }

  // Signup: no auth; the account waits for the operator's verification (`mailfront smtpd account verify`).
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/account',
      operationId: 'smtpdSignup',
      summary: 'Create an account (no auth); it starts unverified',
      request: { body: { content: { 'application/json': { schema: Signup } }, required: true } },
      responses: {
        202: json(z.object({ account_id: z.string() }), 'Enqueued for creation; verified manually'),
        ...errorResponses('VALIDATION_FAILED', 'EMAIL_TAKEN', 'ACCOUNT_NAME_TAKEN', 'RATE_LIMITED'),
      },
    }),
    (async (c: C) => {
      const b = (c.req as unknown as { valid(t: 'json'): z.infer<typeof Signup> }).valid('json')
      if (!planById(b.plan_id))
        throw smtpdError('VALIDATION_FAILED', { message: 'Validation failed: plan_id: unknown plan' })
      if (
        await db.findOne({
          model: USER,
          where: { field: 'email_address', value: b.email_address.toLowerCase() },
        })
      )
        throw smtpdError('EMAIL_TAKEN')
      const [first, ...rest] = b.full_name.trim().split(/\s+/)
      const account = await db.transaction(async (tx) => {
        const txCtx = { ...ctx, storage: tx }
        const a = await createAccount(txCtx, {
          account_name: b.account_name,
          plan_id: b.plan_id,
          country: b.country,
          billing_contact_email_address: b.email_address.toLowerCase(),
        })
        await createUser(txCtx, {
          account_id: a.id,
          email_address: b.email_address,
          password: b.password,
          first_name: first ?? '',
          surname: rest.join(' '),
          role: 'owner',
        })
        return a
      })
      return c.json({ account_id: account.id }, 202)
    }) as never,
  )

  route(
    get('/api/v1/account', 'smtpdAccount', 'The account', json(Account, 'The account')),
    'read',
    async (c, p) => {
      const a = await db.findOne<AccountRow>({ model: ACCOUNT, where: { field: 'id', value: p!.accountId } })
      if (!a) throw smtpdError('BAD_ID')
      const where = { field: 'account_id', value: a.id }
      const [users, keys] = await Promise.all([
        db.count({ model: USER, where }),
        db.count({ model: API_KEY, where }),
      ])
      return c.json(accountView(a, { users, keys }))
    },
  )

  // Users: the docs' page was lost; these paths are ours, in the style of the API keys'.
  route(
    get(
      '/api/v1/account/user',
      'smtpdUsers',
      'Users of the account (mailfront extension)',
      json(z.array(User), 'Users'),
    ),
    'read',
    async (c, p) => {
      const rows = await db.findMany<UserRow>({
        model: USER,
        where: { field: 'account_id', value: p!.accountId },
        sort: [{ field: 'created_at' }],
      })
      return c.json(rows.map(userView))
    },
  )
  route(
    get('/api/v1/account/user/{id}', 'smtpdUser', 'One user (mailfront extension)', json(User, 'The user'), {
      request: { params: idParam },
    }),
    'read',
    async (c, p) => {
      const u = await db.findOne<UserRow>({ model: USER, where: { field: 'id', value: c.req.param('id')! } })
      if (!u || u.account_id !== p!.accountId) throw smtpdError('BAD_ID')
      return c.json(userView(u))
    },
  )
  route(
    createRoute({
      method: 'post',
      path: '/api/v1/account/user',
      operationId: 'smtpdAddUser',
      summary: 'Add a user to the account (mailfront extension; owner and admin)',
      security: bearer,
      request: { body: { content: { 'application/json': { schema: NewUser } }, required: true } },
      responses: {
        201: json(User, 'Created'),
        ...errorResponses(...AUTH_ERRORS, 'VALIDATION_FAILED', 'EMAIL_TAKEN'),
      },
    }),
    'manage_users',
    async (c, p) => {
      const b = (c.req as unknown as { valid(t: 'json'): z.infer<typeof NewUser> }).valid('json')
      return c.json(userView(await createUser(ctx, { account_id: p!.accountId, ...b })), 201)
    },
  )

  route(
    createRoute({
      method: 'post',
      path: '/api/v1/account/api_key',
      operationId: 'smtpdCreateApiKey',
      summary: 'Create an API key; the secret is shown only in this answer',
      security: bearer,
      request: { body: { content: { 'application/json': { schema: NewApiKey } }, required: true } },
      responses: {
        201: json(CreatedKey, 'Created (PascalCase keys, as documented)'),
        ...errorResponses(...AUTH_ERRORS, 'VALIDATION_FAILED'),
      },
    }),
    'manage_keys',
    async (c, p) => {
      const b = (c.req as unknown as { valid(t: 'json'): z.infer<typeof NewApiKey> }).valid('json')
      const { row, secret } = await createApiKey(ctx, {
        account_id: p!.accountId,
        created_by: p!.user.id,
        name: b.name,
        role: b.role,
      })
      return c.json({ ID: row.id, Name: row.name, Key: row.key, Secret: secret }, 201)
    },
  )
  route(
    get(
      '/api/v1/account/api_key',
      'smtpdApiKeys',
      'API keys of the account (never the secret)',
      json(z.array(ApiKey), 'Keys'),
    ),
    'read',
    async (c, p) => {
      const rows = await db.findMany<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'account_id', value: p!.accountId },
        sort: [{ field: 'created_at' }],
      })
      return c.json(rows.map((k) => apiKeyView(k, tokens.keyActive(k))))
    },
  )
  route(
    get('/api/v1/account/api_key/{id}', 'smtpdApiKey', 'One API key', json(ApiKey, 'The key'), {
      request: { params: idParam },
    }),
    'read',
    async (c, p) => {
      const k = await ownKey(c, p!.accountId)
      return c.json(apiKeyView(k, tokens.keyActive(k)))
    },
  )
  route(
    get(
      '/api/v1/account/api_key/{id}/sessions',
      'smtpdApiKeySessions',
      "The key's live refresh grants",
      json(
        z.array(z.object({ id: z.string(), created_at_utc: z.number(), expires_at_utc: z.number() })),
        'Grants',
      ),
      {
        request: { params: idParam },
      },
    ),
    'read',
    async (c, p) => c.json(await tokens.sessionsOf((await ownKey(c, p!.accountId)).id)),
  )
  route(
    createRoute({
      method: 'put',
      path: '/api/v1/account/api_key/{id}/revoke',
      operationId: 'smtpdRevokeApiKey',
      summary: 'Revoke an API key (its refresh grants die with it)',
      security: bearer,
      request: { params: idParam },
      responses: { 200: json(ApiKey, 'The revoked key'), ...errorResponses(...AUTH_ERRORS, 'BAD_ID') },
    }),
    'manage_keys',
    async (c, p) => {
      const k = await ownKey(c, p!.accountId)
      const row = await db.updateOne<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'id', value: k.id },
        set: { is_active: false, modified_at: ctx.clock.now() },
      })
      await tokens.dropGrants(k.id)
      return c.json(apiKeyView(row!, false))
    },
  )

  // Billing: the plan list is public (signup needs a plan id).
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
