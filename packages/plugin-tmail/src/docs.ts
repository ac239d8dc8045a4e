import { createRoute, type OpenAPIHono, type PluginEnv, z } from '@mailfront/core'
import { adminScheme } from './auth.ts'
import { alsoAccepts, goBool, goString } from './body.ts'
import { ERRORS } from './errors.ts'
import { JSON_TYPE } from './wire.ts'

// tmail's API as data: the schemas and route definitions below are both what /openapi.json shows
// and what routes.ts validates requests with.

const User = z
  .object({
    Id: z.number().int(),
    Login: z.string(),
    Passwd: z.string().describe('bcrypt, `$2a$10$…`'),
    DovePasswd: z.string().describe('SHA-512 crypt, `$6$<16 hex salt>$…` (Dovecot)'),
    Active: z.string(),
    AuthRelay: z.boolean(),
    HaveMailbox: z.boolean(),
    IsCatchall: z.boolean(),
    MailboxQuota: z.string(),
    Home: z.string(),
  })
  .openapi('TmailUser')

const Message = z
  .object({
    Id: z.number().int(),
    Uuid: z.string().describe('40 hex characters, shared by the rows of one message'),
    MailFrom: z.string().describe('empty for a bounce'),
    AuthUser: z.string(),
    RcptTo: z.string(),
    MessageId: z.string(),
    Host: z.string().describe("the recipient's domain"),
    LastUpdate: z.string().describe('RFC 3339'),
    AddedAt: z.string().describe('RFC 3339'),
    NextDeliveryScheduledAt: z.string().describe('RFC 3339'),
    Status: z
      .number()
      .int()
      .describe('0 delivery in progress, 1 will be discarded, 2 scheduled, 3 will be bounced'),
    DeliveryFailedCount: z.number().int(),
  })
  .openapi('TmailQueueMessage')

const ErrorBody = z.object({ msg: z.string(), raw: z.string() }).openapi('TmailError')

/** POST /users/{login}: validated with Go's decoding rules (see body.ts); the checks of UserAdd follow. */
export const NewUserBody = z
  .object({
    passwd: goString().describe('at least 6 bytes, else 422'),
    authRelay: goBool(),
    haveMailbox: goBool(),
    mailboxQuota: goString().describe('bytes, or a number with K, M or G (`1G`)'),
    isCatchall: alsoAccepts(
      goBool().describe('`isCathall`, the original spelling, is accepted too'),
      'isCathall',
    ),
  })
  .describe('Keys are matched case-insensitively; unknown keys are ignored.')
  .openapi('TmailNewUser')

/** PUT /users/{login}. */
export const PasswordBody = z.object({ passwd: goString().describe('at least 6 bytes, else 422') })

const err = (...codes: (keyof typeof ERRORS)[]) => {
  const byStatus: Record<number, string[]> = {}
  for (const c of codes) {
    byStatus[ERRORS[c].status] ??= []
    byStatus[ERRORS[c].status]!.push(ERRORS[c].message)
  }
  return Object.fromEntries(
    Object.entries(byStatus).map(([s, msgs]) => [
      s,
      { description: msgs.join('; '), content: { [JSON_TYPE]: { schema: ErrorBody } } },
    ]),
  )
}

const login = z.string().openapi({ param: { name: 'login', in: 'path' }, example: 'toorop@tmail.io' })
const id = z.string().openapi({ param: { name: 'id', in: 'path' }, example: '1' })
const ext = { param: { 'x-mailfront-extension': true } } as object
/** `?limit=&offset=`: our extension; absent means the whole list, as tmail answers. */
const count = (description: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .optional()
    .openapi({ description, ...ext })
export const Paging = z.object({
  limit: count('mailfront extension: at most this many rows'),
  offset: count('mailfront extension: skip this many rows'),
})
const AUTH = ['UNAUTHORIZED', 'TOO_MANY_ATTEMPTS'] as const
const security = [adminScheme.security]
const body = <S extends z.ZodType>(schema: S) => ({
  content: { 'application/json': { schema } },
  required: true,
})
const queueAction = (action: 'discard' | 'bounce', code: 'DISCARD_FAILED' | 'BOUNCE_FAILED') =>
  createRoute({
    method: 'delete',
    path: `/queue/${action}/{id}`,
    operationId: `tmail${action === 'discard' ? 'Discard' : 'Bounce'}Message`,
    summary:
      action === 'discard'
        ? 'Mark for discarding (status 1); the queue processor deletes it'
        : 'Mark for bouncing (status 3); the queue processor sends a bounce to the sender',
    security,
    request: { params: z.object({ id }) },
    responses: {
      200: { description: 'Marked, empty body' },
      ...err(...AUTH, 'BAD_MESSAGE_ID', 'NO_SUCH_MESSAGE', code),
    },
  })

/**
 * tmail's API as data, in the order it is registered (the docs list it so): each route's `security`
 * means the admin credential is checked first, its query and body schemas validate the request.
 */
export const ROUTES = {
  ping: createRoute({
    method: 'get',
    path: '/ping',
    operationId: 'tmailPing',
    summary: 'Liveness, no auth',
    responses: {
      200: {
        description: '`{"msg": "pong"}`',
        content: { [JSON_TYPE]: { schema: ErrorBody.pick({ msg: true }) } },
      },
    },
  }),
  listUsers: createRoute({
    method: 'get',
    path: '/users',
    operationId: 'tmailListUsers',
    summary: 'Every user (streamed)',
    security,
    request: { query: Paging },
    responses: {
      200: { description: 'Array of users', content: { [JSON_TYPE]: { schema: z.array(User) } } },
      ...err(...AUTH),
    },
  }),
  createUser: createRoute({
    method: 'post',
    path: '/users/{login}',
    operationId: 'tmailCreateUser',
    summary: 'Create a user',
    security,
    request: { params: z.object({ login }), body: body(NewUserBody) },
    responses: {
      201: {
        description: 'Created; `Location` names the user',
        headers: { Location: { schema: { type: 'string' } } },
      },
      ...err(...AUTH, 'BAD_JSON', 'CREATE_FAILED'),
    },
  }),
  getUser: createRoute({
    method: 'get',
    path: '/users/{login}',
    operationId: 'tmailGetUser',
    summary: 'One user',
    security,
    request: { params: z.object({ login }) },
    responses: {
      200: { description: 'The user', content: { [JSON_TYPE]: { schema: User } } },
      ...err(...AUTH, 'NO_SUCH_USER'),
    },
  }),
  changePassword: createRoute({
    method: 'put',
    path: '/users/{login}',
    operationId: 'tmailChangePassword',
    summary: 'Change the password (both hashes are regenerated)',
    security,
    request: { params: z.object({ login }), body: body(PasswordBody) },
    responses: {
      204: { description: 'Changed' },
      ...err(...AUTH, 'BAD_JSON', 'NO_SUCH_USER', 'PASSWORD_FAILED'),
    },
  }),
  deleteUser: createRoute({
    method: 'delete',
    path: '/users/{login}',
    operationId: 'tmailDeleteUser',
    summary: 'Delete a user',
    security,
    request: { params: z.object({ login }) },
    responses: { 200: { description: 'Deleted, empty body' }, ...err(...AUTH, 'NO_SUCH_USER') },
  }),
  listQueue: createRoute({
    method: 'get',
    path: '/queue',
    operationId: 'tmailListQueue',
    summary: 'Every queued message, one row per recipient (streamed)',
    security,
    request: { query: Paging },
    responses: {
      200: { description: 'Array of messages', content: { [JSON_TYPE]: { schema: z.array(Message) } } },
      ...err(...AUTH),
    },
  }),
  getMessage: createRoute({
    method: 'get',
    path: '/queue/{id}',
    operationId: 'tmailGetMessage',
    summary: 'One queued message',
    security,
    request: { params: z.object({ id }) },
    responses: {
      200: { description: 'The message', content: { [JSON_TYPE]: { schema: Message } } },
      ...err(...AUTH, 'BAD_MESSAGE_ID', 'NO_SUCH_MESSAGE'),
    },
  }),
  discard: queueAction('discard', 'DISCARD_FAILED'),
  bounce: queueAction('bounce', 'BOUNCE_FAILED'),
}

/** The admin credential's scheme; the paths are registered with their handlers (routes.ts). */
export function registerDocs(app: OpenAPIHono<PluginEnv>) {
  adminScheme.register(app)
}
