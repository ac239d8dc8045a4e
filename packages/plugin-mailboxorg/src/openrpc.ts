import { openrpcDocument } from '@mailfront/core'
import { APP_ERRORS } from './errors.ts'
import type { MethodDef } from './method.ts'

/** The OpenRPC document of mailbox.org's methods (the core builds it from their zod definitions). */
export function mailboxorgOpenrpc(methods: MethodDef[], version: string) {
  return openrpcDocument(methods, {
    info: {
      title: 'mailbox.org Business API (mailfront)',
      version,
      description:
        'JSON-RPC 2.0 over HTTPS POST to /v1/. Log in with `auth`, then send the Auth-ID in the `HPLS-AUTH` ' +
        'header. `x-mailfront-access` gives the levels allowed to call a method (admin always may).',
    },
    servers: [
      {
        name: 'npm start (default address; POST to /v1/ of whichever host serves this)',
        url: 'https://127.0.0.1:8080/v1/',
      },
    ],
    errorsOf: (m) => m.errors.map((e) => ({ code: APP_ERRORS[e].code, message: APP_ERRORS[e].message })),
    extensionsOf: (m) => ({ 'x-mailfront-access': m.access }),
  })
}
