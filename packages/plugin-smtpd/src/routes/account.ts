import { type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import { createAccount, createUser } from '../accounts.ts'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { planById } from '../plans.ts'
import { ACCOUNT, type AccountRow, API_KEY, accountView, USER, type UserRow, userView } from '../store.ts'
import type { Tokens } from '../tokens.ts'
import { registerApiKeys } from './api-keys.ts'
import { registerBilling } from './billing.ts'
import { AUTH_ERRORS, accountGet, bearer, json, smtpdRoutes } from './common.ts'
import { Account, errorResponses, idParam, NewUser, Signup, User } from './schemas.ts'

/** Signup, the account and its users; then its API keys and billing (in that order in the docs). */
export function registerAccount(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  tokens: Tokens,
  authorize: Authorize,
) {
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)

  // Signup: no auth; the account waits for the operator's verification (`mailfront smtpd account verify`).
  route(
    {
      method: 'post',
      path: '/api/v1/account',
      operationId: 'smtpdSignup',
      summary: 'Create an account (no auth); it starts unverified',
      request: { body: { content: { 'application/json': { schema: Signup } }, required: true } },
      responses: {
        202: json(z.object({ account_id: z.string() }), 'Enqueued for creation; verified manually'),
        ...errorResponses('VALIDATION_FAILED', 'EMAIL_TAKEN', 'ACCOUNT_NAME_TAKEN', 'RATE_LIMITED'),
      },
    },
    async (c, { body: b }) => {
      if (!planById(b.plan_id))
        throw errors.VALIDATION_FAILED({ message: 'Validation failed: plan_id: unknown plan' })
      if (
        await db.findOne({
          model: USER,
          where: { field: 'email_address', value: b.email_address.toLowerCase() },
        })
      )
        throw errors.EMAIL_TAKEN()
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
    },
  )

  route(
    {
      ...accountGet('/api/v1/account', 'smtpdAccount', 'The account', json(Account, 'The account')),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const a = await db.findOne<AccountRow>({ model: ACCOUNT, where: { field: 'id', value: p.accountId } })
      if (!a) throw errors.BAD_ID()
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
    {
      ...accountGet(
        '/api/v1/account/user',
        'smtpdUsers',
        'Users of the account (mailfront extension)',
        json(z.array(User), 'Users'),
      ),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const rows = await db.findMany<UserRow>({
        model: USER,
        where: { field: 'account_id', value: p.accountId },
        sort: [{ field: 'created_at' }],
      })
      return c.json(rows.map(userView))
    },
  )
  route(
    {
      ...accountGet(
        '/api/v1/account/user/{id}',
        'smtpdUser',
        'One user (mailfront extension)',
        json(User, 'The user'),
        {
          request: { params: idParam },
        },
      ),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const u = await db.findOne<UserRow>({ model: USER, where: { field: 'id', value: c.req.param('id')! } })
      if (!u || u.account_id !== p.accountId) throw errors.BAD_ID()
      return c.json(userView(u))
    },
  )
  route(
    {
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
      need: 'manage_users',
    },
    async (c, { auth: p, body }) => {
      return c.json(userView(await createUser(ctx, { account_id: p.accountId, ...body })), 201)
    },
  )

  registerApiKeys(app, ctx, tokens, authorize)
  registerBilling(app, ctx, authorize)
}
