import { type OpenAPIHono, type PluginContext, type PluginEnv, z } from '@mailfront/core'
import { createApiKey } from '../accounts.ts'
import type { Authorize } from '../auth.ts'
import { errors } from '../errors.ts'
import { requireRoom } from '../plan-limits.ts'
import { API_KEY, type ApiKeyRow, apiKeyView } from '../store.ts'
import type { Tokens } from '../tokens.ts'
import { AUTH_ERRORS, accountGet, bearer, type C, json, smtpdRoutes } from './common.ts'
import { ApiKey, CreatedKey, errorResponses, idParam, NewApiKey } from './schemas.ts'

/** The account's API keys: create (the secret shown once), list, read, live grants, revoke. */
export function registerApiKeys(
  app: OpenAPIHono<PluginEnv>,
  ctx: PluginContext,
  tokens: Tokens,
  authorize: Authorize,
) {
  const db = ctx.storage
  const route = smtpdRoutes(app, authorize)

  const ownKey = async (c: C, accountId: string) => {
    const k = await db.findOne<ApiKeyRow>({
      model: API_KEY,
      where: { field: 'id', value: c.req.param('id')! },
    })
    if (!k || k.account_id !== accountId) throw errors.BAD_ID()
    return k
  }

  route(
    {
      method: 'post',
      path: '/api/v1/account/api_key',
      operationId: 'smtpdCreateApiKey',
      summary: 'Create an API key; the secret is shown only in this answer',
      security: bearer,
      request: { body: { content: { 'application/json': { schema: NewApiKey } }, required: true } },
      responses: {
        201: json(CreatedKey, 'Created (PascalCase keys, as documented)'),
        ...errorResponses(...AUTH_ERRORS, 'VALIDATION_FAILED', 'PLAN_API_KEY_LIMIT'),
      },
      need: 'manage_keys',
    },
    async (c, { auth: p, body }) => {
      await requireRoom(ctx, p.accountId, 'api_keys')
      const { row, secret } = await createApiKey(ctx, {
        account_id: p.accountId,
        created_by: p.user.id,
        name: body.name,
        role: body.role,
      })
      return c.json({ ID: row.id, Name: row.name, Key: row.key, Secret: secret }, 201)
    },
  )
  route(
    {
      ...accountGet(
        '/api/v1/account/api_key',
        'smtpdApiKeys',
        'API keys of the account (never the secret)',
        json(z.array(ApiKey), 'Keys'),
      ),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const rows = await db.findMany<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'account_id', value: p.accountId },
        sort: [{ field: 'created_at' }],
      })
      return c.json(rows.map((k) => apiKeyView(k, tokens.keyActive(k))))
    },
  )
  route(
    {
      ...accountGet('/api/v1/account/api_key/{id}', 'smtpdApiKey', 'One API key', json(ApiKey, 'The key'), {
        request: { params: idParam },
      }),
      need: 'read',
    },
    async (c, { auth: p }) => {
      const k = await ownKey(c, p.accountId)
      return c.json(apiKeyView(k, tokens.keyActive(k)))
    },
  )
  route(
    {
      ...accountGet(
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
      need: 'read',
    },
    async (c, { auth: p }) => c.json(await tokens.sessionsOf((await ownKey(c, p.accountId)).id)),
  )
  route(
    {
      method: 'put',
      path: '/api/v1/account/api_key/{id}/revoke',
      operationId: 'smtpdRevokeApiKey',
      summary: 'Revoke an API key (its refresh grants die with it)',
      security: bearer,
      request: { params: idParam },
      responses: { 200: json(ApiKey, 'The revoked key'), ...errorResponses(...AUTH_ERRORS, 'BAD_ID') },
      need: 'manage_keys',
    },
    async (c, { auth: p }) => {
      const k = await ownKey(c, p.accountId)
      const row = await db.updateOne<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'id', value: k.id },
        set: { is_active: false, modified_at: ctx.clock.now() },
      })
      await tokens.dropGrants(k.id)
      return c.json(apiKeyView(row!, false))
    },
  )
}
