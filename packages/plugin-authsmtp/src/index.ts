import { type ApiError, definePlugin } from '@mailfront/core'
import { commands } from './cli.ts'
import { demo } from './demo.ts'
import { errors } from './errors.ts'
import { fixtures } from './fixtures.ts'
import { authsmtpOptions } from './options.ts'
import { rateLimits } from './rate-limits.ts'
import { registerRoutes, XML_TYPE } from './routes.ts'
import { authsmtpSetup } from './setup.ts'
import { authsmtpSmtpAuth } from './smtp.ts'
import { models } from './store.ts'
import { errorXml, XML_ERROR_CODES } from './wire.ts'

export { type AuthsmtpOptions, authsmtpOptions } from './options.ts'
export { authsmtpSmtpAuth } from './smtp.ts'
export { recordUsage } from './store.ts'
export { formatLondon, formatLondonWithOffset, nextAnniversaryAfter } from './time.ts'
export { basicUserXml, errorXml, ipAllocationXml, WIRE_TABLE, XML_ERROR_CODES } from './wire.ts'

const TEXT: Record<number, string> = {
  401: 'Not Authorized',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  500: 'Internal Error',
}

/** AuthSMTP API Access v1.01: `basic_user` and `ip_allocation` over XML. */
export function authsmtpPlugin() {
  return definePlugin({
    id: 'authsmtp',
    version: '1.01',
    summary:
      'manage what the AuthSMTP API cannot create (the SMTP password is separate from the API password)',
    options: authsmtpOptions,
    setup: authsmtpSetup,
    http: {
      paths: ['/restful/*'],
      // The public API host: the clients call https://secure.authsmtp.com/restful/….
      hostnames: ['secure.authsmtp.com'],
      routes: registerRoutes,
      errors: errors.table,
      renderError(err: ApiError, c, ctx) {
        // Application errors are 200 + the XML error object, as the seed documents.
        const xmlCode = (XML_ERROR_CODES as Record<string, { code: number; message: string }>)[err.code]
        if (xmlCode || err.status === 200 || err.status === 400 || err.status === 403) {
          const e = xmlCode ?? XML_ERROR_CODES.OTHER
          c.header('Cache-Control', 'no-store')
          // The store is unreachable: the same XML error object, at 503 (with Retry-After) so that
          // monitors and proxies see an outage rather than an answer.
          const status = err.code === 'SERVICE_UNAVAILABLE' ? 503 : 200
          return c.body(errorXml(e.code, e.message), status, { 'Content-Type': XML_TYPE })
        }
        const status = TEXT[err.status] ? err.status : 500
        // The seed: no challenge by default; MAILFRONT_AUTHSMTP_CHALLENGE=true adds one for clients that wait for it.
        if (status === 401 && ctx.options.challenge)
          c.header('WWW-Authenticate', 'Basic realm="AuthSMTP API"')
        return c.text(TEXT[status]!, status as 401)
      },
      docs: {
        kind: 'openapi',
        title: 'AuthSMTP API Access v1.01',
        description:
          'XML over HTTPS with HTTP Basic (user id + API password). At most 1 request per 20 s per user.',
      },
    },
    cli: { commands },
    data: { models, fixtures, demo },
    mail: { smtpAuth: authsmtpSmtpAuth },
    rateLimits,
  })
}

export default authsmtpPlugin
