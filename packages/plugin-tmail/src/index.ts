import { type ApiError, definePlugin } from '@mailfront/core'
import { commands } from './cli.ts'
import { demo } from './demo.ts'
import { registerDocs } from './docs.ts'
import { ERRORS, errors, rawOf } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { tmailOptions } from './options.ts'
import { processQueue } from './queue.ts'
import { registerRoutes } from './routes.ts'
import { tmailSetup } from './setup.ts'
import { tmailSmtpAuth } from './smtp.ts'
import { ADMIN, models } from './store.ts'
import { errorBody, JSON_TYPE } from './wire.ts'

export { decodeGoBody } from './body.ts'
export { type TmailOptions, tmailOptions } from './options.ts'
export { enqueue, processQueue } from './queue.ts'
export { messageWire, userWire } from './store.ts'
export { goTime } from './time.ts'
export { createUser, validateNewUser } from './users.ts'
export { errorBody, goJson, WIRE_TABLE } from './wire.ts'

/** tmail's REST admin API (users and the mail queue), JSON with `{msg, raw}` errors. */
export function tmailPlugin() {
  return definePlugin({
    id: 'tmail',
    version: '0.2',
    summary: 'the tmail admin credential and queue entries',
    options: tmailOptions,
    setup: tmailSetup,
    http: {
      paths: ['/ping', '/users', '/users/*', '/queue', '/queue/*'],
      routes(app, ctx) {
        registerDocs(app)
        registerRoutes(app, ctx, ctx.options, ctx.state.admin)
      },
      errors: errors.table,
      renderError(err: ApiError, c) {
        // Errors from the shared layers (body limit, validation) keep their status, in tmail's shape.
        const known = errors.has(err.code) || err.status === 413
        const status = known ? err.status : err.status >= 500 ? 500 : err.status
        // Server-side failures answer the table's wording, never the cause's.
        const msg = err.status >= 500 ? (errors.get(err.code) ?? ERRORS.INTERNAL).message : err.message
        return c.body(errorBody(msg, rawOf(err)), status as 400, { 'Content-Type': JSON_TYPE })
      },
      docs: {
        kind: 'openapi',
        title: 'tmail REST API',
        description:
          'JSON over HTTPS with HTTP Basic (the admin credential). Errors are `{"msg","raw"}`. ' +
          '`limit`/`offset` on the lists are mailfront extensions.',
      },
    },
    cli: { commands },
    data: { models, fixtures, demo },
    mail: { smtpAuth: tmailSmtpAuth },
    start(ctx) {
      const o = ctx.options
      if (o.adminLogin === undefined)
        ctx.storage.count({ model: ADMIN }).then(
          (n) => {
            if (!n)
              ctx.log.warn(
                { plugin: 'tmail' },
                'no tmail admin credential: every request gets 401; set MAILFRONT_TMAIL_ADMIN_LOGIN and _PASSWORD, or run `mailfront tmail admin set`',
              )
          },
          () => undefined,
        )
      const every = o.queueIntervalS
      if (!every) return async () => {}
      let running: Promise<unknown> | undefined
      const tick = () => {
        running ??= processQueue(ctx)
          .then((r) => {
            if (r.discarded || r.bounced || r.doubleBounces || r.removed || r.adopted)
              ctx.log.info({ plugin: 'tmail', ...r }, 'queue processed')
          })
          .catch((err) => ctx.log.error({ plugin: 'tmail', err }, 'queue processing failed'))
          .finally(() => {
            running = undefined
          })
      }
      const timer = setInterval(tick, every * 1000)
      timer.unref()
      return async () => {
        clearInterval(timer)
        await running
      }
    },
  })
}

export default tmailPlugin
