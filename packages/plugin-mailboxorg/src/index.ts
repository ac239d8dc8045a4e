import { type ApiError, definePlugin, RPC_CODES, rpcErrorBody, z } from '@mailfront/core'
import { commands } from './cli.ts'
import { resourceCommands } from './cli-resources.ts'
import { mailboxorgLocalDelivery } from './delivery.ts'
import { demo } from './demo.ts'
import { APP_ERRORS, appErrorOf, errors } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { defineMethod, type MethodDef } from './method.ts'
import { accountMethods } from './methods/account.ts'
import { additionalMethods } from './methods/additional.ts'
import { backupMethods } from './methods/backup.ts'
import { baseMethods } from './methods/base.ts'
import { domainMethods } from './methods/domain.ts'
import { groupMethods } from './methods/group.ts'
import { invoiceMethods } from './methods/invoice.ts'
import { listMethods } from './methods/lists.ts'
import { mailMethods } from './methods/mail.ts'
import { mailExtraMethods } from './methods/mail-extra.ts'
import { mailboxMethods } from './methods/mailbox.ts'
import { passwordResetMethods } from './methods/passwordreset.ts'
import { spfMethods } from './methods/spf.ts'
import { videochatMethods } from './methods/videochat.ts'
import { mailboxorgOpenrpc } from './openrpc.ts'
import { mailboxorgOptions } from './options.ts'
import { rateLimits } from './rate-limits.ts'
import { JSON_TYPE, registerRoutes } from './routes.ts'
import { type MailboxorgState, mailboxorgSetup } from './setup.ts'
import { mailboxorgSmtpAuth } from './smtp.ts'
import type { TxtResolver } from './spf.ts'
import { models } from './store.ts'

export { APP_ERRORS } from './errors.ts'
export type { MethodDef } from './method.ts'
export { type MailboxorgOptions, mailboxorgOptions } from './options.ts'
export { checkSpf, dnsResolver, type SpfReport, type TxtResolver } from './spf.ts'
export { WIRE_OBJECTS, WIRE_TABLE, wireKeys } from './wire.ts'

/** What a host (or a test) may inject: the DNS resolver of domain.validate.spf. */
export interface MailboxorgDeps {
  resolver?: TxtResolver
}

const VERSION = '1.0'
const PURGE_EVERY_MS = 10 * 60_000

/** Every method, each declared once; `rpc.discover` answers the OpenRPC document built from them. */
export function mailboxorgMethods(deps: MailboxorgDeps = {}): MethodDef[] {
  const methods: MethodDef[] = [
    ...baseMethods,
    ...accountMethods,
    ...invoiceMethods,
    ...domainMethods,
    ...spfMethods(deps.resolver),
    ...mailMethods,
    ...mailExtraMethods,
    ...mailboxMethods,
    ...videochatMethods,
    ...backupMethods,
    ...passwordResetMethods,
    ...additionalMethods,
    ...listMethods,
    ...groupMethods,
  ]
  methods.push(
    defineMethod({
      name: 'rpc.discover',
      summary: 'This API described as an OpenRPC document',
      access: 'anonymous',
      params: z.object({}),
      result: z.record(z.string(), z.unknown()),
      errors: [],
      handler: async () => mailboxorgOpenrpc(methods, VERSION),
    }),
  )
  return methods
}

/** The mailbox.org Business API: JSON-RPC 2.0 at POST /v1/, sessions in the HPLS-AUTH header. */
export function mailboxorgPlugin(deps: MailboxorgDeps = {}) {
  const methods = mailboxorgMethods(deps)
  return definePlugin<typeof mailboxorgOptions, MailboxorgState>({
    id: 'mailboxorg',
    version: VERSION,
    summary:
      'mailbox.org operators, sessions, invoices, register tokens and SMS (what the API cannot create)',
    options: mailboxorgOptions,
    setup(ctx) {
      return mailboxorgSetup(ctx, methods)
    },
    http: {
      paths: ['/v1', '/v1/*'],
      // The public API host: https://api.mailbox.org/v1/ in every client.
      hostnames: ['api.mailbox.org'],
      routes(app, ctx) {
        registerRoutes(app, ctx.state.dispatch, ctx.bodyLimit)
      },
      errors: errors.table,
      // Errors raised before the dispatcher (body limit, HTTPS rule, a crash) still answer JSON-RPC.
      renderError(err: ApiError, c) {
        if (err.code === 'SERVICE_UNAVAILABLE')
          return c.body(
            rpcErrorBody(APP_ERRORS.SERVICE_UNAVAILABLE.code, APP_ERRORS.SERVICE_UNAVAILABLE.message),
            503,
            {
              'Content-Type': JSON_TYPE,
            },
          )
        // An unknown path: an Invalid Request at 404.
        if (err.code === 'NOT_FOUND')
          return c.body(rpcErrorBody(RPC_CODES.invalidRequest, err.message), 404, {
            'Content-Type': JSON_TYPE,
          })
        // Any application error (e.g. injected as a fault) in its own code and English message.
        const app = appErrorOf(err.code)
        const seconds = (err.details as { seconds?: number } | undefined)?.seconds ?? 60
        const body = app
          ? rpcErrorBody(app.code, app.message.replace('{seconds}', String(seconds)))
          : err.status >= 500 || err.code === 'INTERNAL'
            ? rpcErrorBody(RPC_CODES.internalError, 'Internal error')
            : rpcErrorBody(
                RPC_CODES.invalidRequest,
                err.code === 'BODY_TOO_LARGE'
                  ? 'Invalid Request: the body is too large'
                  : `Invalid Request: ${err.message}`,
              )
        return c.body(body, 200, { 'Content-Type': JSON_TYPE })
      },
      docs: {
        kind: 'openrpc',
        title: 'mailbox.org Business API (JSON-RPC 2.0)',
        description: 'One POST endpoint; the methods are described by /openrpc.json.',
      },
      openrpc: () => mailboxorgOpenrpc(methods, VERSION),
    },
    cli: { commands: [...commands, ...resourceCommands] },
    data: { models, fixtures, demo },
    mail: {
      smtpAuth: mailboxorgSmtpAuth,
      localDelivery: (ctx) => mailboxorgLocalDelivery(ctx, () => ctx.options),
    },
    rateLimits,
    start(ctx) {
      const timer = setInterval(() => {
        ctx.state.sessions
          .purge()
          .catch((err) => ctx.log.error({ err, plugin: 'mailboxorg' }, 'session purge failed'))
      }, PURGE_EVERY_MS)
      timer.unref()
      return async () => clearInterval(timer)
    },
  })
}

export default mailboxorgPlugin
