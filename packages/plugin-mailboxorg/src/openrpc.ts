import { z } from '@mailfront/core'
import { APP_ERRORS } from './errors.ts'
import type { MethodDef } from './method.ts'

const schema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>

const clean = (s: Record<string, unknown>) => {
  const { $schema: _, ...rest } = s
  return rest
}

/** OpenRPC 1.x, generated from the same zod definitions the dispatcher validates with. */
export function openrpcDocument(methods: MethodDef[], version: string) {
  return {
    openrpc: '1.3.2',
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
    methods: methods.map((m) => {
      const params = clean(schema(m.params, 'input'))
      const props = (params.properties ?? {}) as Record<string, Record<string, unknown>>
      const required = new Set((params.required as string[] | undefined) ?? [])
      return {
        name: m.name,
        summary: m.summary,
        paramStructure: 'by-name',
        params: Object.entries(props).map(([name, s]) => ({ name, required: required.has(name), schema: s })),
        result: { name: 'result', schema: clean(schema(m.result, 'output')) },
        errors: m.errors.map((e) => ({ code: APP_ERRORS[e].code, message: APP_ERRORS[e].en })),
        'x-mailfront-access': m.access,
        ...(m.aliases?.length ? { 'x-mailfront-aliases': m.aliases } : {}),
      }
    }),
  }
}
