import { createRoute, type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import { adminScheme } from './auth.ts'
import { ERRORS, type ExampleErrorCode } from './errors.ts'

// The API as data: these schemas and routes are what /openapi.json shows and what validates each
// request (routes.ts registers them with `app.openapi`). Edit a rule here and both follow.

const address = z
  .string()
  .toLowerCase()
  .pipe(z.email())
  .describe('An e-mail address; matched case-insensitively, shown in lower case')

export const Alias = z
  .object({
    address: z.email(),
    destinations: z.array(z.email()),
    comment: z.string(),
    createdAt: z.iso.datetime().describe('ISO 8601, UTC'),
    updatedAt: z.iso.datetime().describe('ISO 8601, UTC'),
  })
  .openapi('ExampleAlias')

export const AliasInput = z
  .object({
    destinations: z
      .array(z.string().toLowerCase().pipe(z.email()))
      .min(1)
      .describe('Where mail to the alias goes; at most MAILFRONT_EXAMPLE_MAX_DESTINATIONS'),
    comment: z.string().max(200).default(''),
  })
  .strict()
  .openapi('ExampleAliasInput')

// Every code of the table (the core's included), by status.
const codes = (Object.keys(ERRORS.table) as ExampleErrorCode[]).sort(
  (a, b) => ERRORS.table[a].status - ERRORS.table[b].status,
)
const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(codes as [ExampleErrorCode, ...ExampleErrorCode[]]),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('VALIDATION_FAILED only: one row per problem'),
    }),
  })
  .openapi('ExampleError')

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
const errors = (...codes: ExampleErrorCode[]) =>
  Object.fromEntries(
    codes.map((code) => [
      ERRORS.table[code].status,
      json(ErrorBody, `${code}: ${ERRORS.table[code].message}`),
    ]),
  )

const security = [adminScheme.security]
const params = z.object({ address: address.openapi({ param: { name: 'address', in: 'path' } }) })

export const ROUTES = {
  list: createRoute({
    method: 'get',
    path: '/example/aliases',
    operationId: 'listAliases',
    summary: 'List the aliases, in address order',
    security,
    request: {
      query: z.object({ domain: z.string().toLowerCase().optional().describe('Only this domain') }),
    },
    responses: {
      200: json(z.object({ aliases: z.array(Alias) }), 'The aliases'),
      ...errors('UNAUTHORIZED', 'TOO_MANY_ATTEMPTS'),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/example/aliases/{address}',
    operationId: 'getAlias',
    summary: 'One alias',
    security,
    request: { params },
    responses: {
      200: json(Alias, 'The alias'),
      ...errors('VALIDATION_FAILED', 'UNAUTHORIZED', 'NO_SUCH_ALIAS'),
    },
  }),
  put: createRoute({
    method: 'put',
    path: '/example/aliases/{address}',
    operationId: 'putAlias',
    summary: 'Create an alias, or replace its destinations and comment',
    security,
    request: { params, body: { required: true, content: { 'application/json': { schema: AliasInput } } } },
    responses: {
      200: json(Alias, 'Replaced'),
      201: json(Alias, 'Created'),
      ...errors('BAD_REQUEST', 'UNAUTHORIZED', 'TOO_MANY_DESTINATIONS', 'BODY_TOO_LARGE'),
    },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/example/aliases/{address}',
    operationId: 'deleteAlias',
    summary: 'Delete an alias',
    security,
    request: { params },
    responses: {
      204: { description: 'Deleted' },
      ...errors('VALIDATION_FAILED', 'UNAUTHORIZED', 'NO_SUCH_ALIAS'),
    },
  }),
}

/** The auth scheme the routes' `security` names. */
export function registerDocs(app: OpenAPIHono<PluginEnv>): void {
  adminScheme.register(app)
}
