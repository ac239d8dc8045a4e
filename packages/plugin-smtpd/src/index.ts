import { type ApiError, definePlugin } from '@mailfront/core'
import { schemes } from './auth.ts'
import { commands } from './cli.ts'
import { sendingCommands } from './cli-sending.ts'
import { demo } from './demo.ts'
import { errorBody, errors } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { smtpdOptions } from './options.ts'
import { rateLimits } from './rate-limits.ts'
import { registerAccount } from './routes/account.ts'
import { registerAnalysis } from './routes/analysis.ts'
import { registerForms } from './routes/forms.ts'
import { registerOauth } from './routes/oauth.ts'
import { registerProfiles } from './routes/profiles.ts'
import { registerSend } from './routes/send.ts'
import { registerTemplates } from './routes/templates.ts'
import { registerTracking } from './routes/tracking.ts'
import type { Resolver } from './sending/dns.ts'
import { type SmtpdState, smtpdSetup } from './setup.ts'
import { models } from './store.ts'

export { ERRORS } from './errors.ts'
export { type SmtpdOptionValues, smtpdOptions } from './options.ts'
export { PLANS } from './plans.ts'
export { PERMISSIONS, ROLES } from './roles.ts'

export type { Resolver } from './sending/dns.ts'

/**
 * SMTPD (api.smtpd.dev): OAuth grants, JWT bearer, account, users, API keys, billing (part 1);
 * sending profiles, send, lookups, tracking, templates, forms, analysis (part 2).
 * `resolver` replaces node:dns for `MAILFRONT_SMTPD_DNS_CHECK=dns` (tests).
 */
export function smtpdPlugin(o: { resolver?: Resolver } = {}) {
  // Typed by name: the state comes from `smtpdSetup`, which TypeScript would infer too late here.
  return definePlugin<typeof smtpdOptions, SmtpdState>({
    id: 'smtpd',
    version: '1',
    summary: 'SMTPD accounts, users, API keys, sending profiles and sends',
    options: smtpdOptions,
    setup: (ctx) => smtpdSetup(ctx, o.resolver),
    http: {
      // /t/…: open and click tracking; /f/…: public form endpoints.
      paths: ['/oauth/*', '/api/v1/*', '/t/*', '/f/*'],
      // The public API host: smtpd-go's baseURL, the terraform provider SDK's APIURL.
      hostnames: ['api.smtpd.dev'],
      routes(app, ctx) {
        for (const scheme of Object.values(schemes)) scheme.register(app)
        const { tokens, authorize, sending } = ctx.state
        registerOauth(app, ctx, tokens, authorize)
        registerAccount(app, ctx, tokens, authorize)
        registerProfiles(app, authorize, sending)
        registerSend(app, authorize, sending)
        registerTemplates(app, authorize, sending)
        registerForms(app, authorize, sending)
        registerAnalysis(app, authorize, sending)
        registerTracking(app, sending)
      },
      errors: errors.table,
      renderError(err: ApiError, c) {
        const { status, body } = errorBody(err)
        return c.json(body, status as 400)
      },
      docs: {
        kind: 'openapi',
        title: 'SMTPD API',
        description:
          'JSON over HTTPS. Log in at /oauth/token (Basic e-mail:password or API key:secret), then send the access token as `Authorization: Bearer`. ' +
          'On /api/v1 an API key secret also works directly (Basic username, or Bearer). Errors are `{code, message}`.',
      },
    },
    cli: { commands: [...commands, ...sendingCommands] },
    data: { models, fixtures, demo },
    rateLimits,
    /** Unsubscribes from the mail pipeline and waits for pending verification and event work. */
    async close(ctx) {
      await ctx.state.sending.close()
    },
  })
}

export default smtpdPlugin
