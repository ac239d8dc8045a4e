import type { MountedPlugin } from './docs.ts'
import { pluginOpenApi } from './docs.ts'

interface RpcParam {
  name: string
  required?: boolean
  schema?: Record<string, unknown>
  description?: string
}
interface RpcMethod {
  name: string
  summary?: string
  description?: string
  params?: RpcParam[]
  result?: { name?: string; schema?: Record<string, unknown> }
  errors?: { code: number; message: string }[]
  [extension: `x-${string}`]: unknown
}

const ERROR_OBJECT = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
}

const cell = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v)).replace(/\|/g, '\\|')

/**
 * A JSON-RPC plugin's OpenRPC methods as OpenAPI operations, one per method, so /docs shows every
 * method's params, result, errors and extensions (the access level) with a working "Try it out".
 * Each method is a path `<endpoint>#<method>`: the fragment keeps the paths distinct and is never
 * sent, so the request goes to the one real endpoint. Security and servers come from the plugin's
 * own OpenAPI document for that endpoint.
 */
export function openrpcAsOpenApi(m: MountedPlugin, rpc: Record<string, any>): Record<string, any> {
  const server = (rpc.servers?.[0]?.url as string | undefined) ?? '/'
  const endpoint = m.prefix + (server.startsWith('/') ? server : new URL(server).pathname)
  const rest = pluginOpenApi(m)
  const post = rest.paths?.[endpoint]?.post ?? {}
  const paths: Record<string, unknown> = {}
  const tags = new Set<string>()
  for (const method of (rpc.methods ?? []) as RpcMethod[]) {
    const tag = method.name.includes('.') ? method.name.split('.')[0]! : 'general'
    tags.add(tag)
    const params = method.params ?? []
    const extensions = Object.entries(method).filter(([k]) => k.startsWith('x-'))
    const errors = method.errors ?? []
    const description = [
      method.description,
      ...extensions.map(([k, v]) => `**${k.replace(/^x-(mailfront-)?/, '')}**: ${cell(v)}`),
      errors.length
        ? `**errors** (in the JSON-RPC \`error\` member, HTTP 200):\n\n| code | message |\n| --- | --- |\n${errors
            .map((e) => `| ${e.code} | ${cell(e.message)} |`)
            .join('\n')}`
        : '**errors**: only the JSON-RPC protocol errors',
    ]
      .filter(Boolean)
      .join('\n\n')
    const example: Record<string, unknown> = {}
    for (const p of params) if (p.required) example[p.name] = exampleOf(p.schema)
    paths[`${endpoint}#${method.name}`] = {
      post: {
        operationId: `${m.plugin.id}_rpc_${method.name.replace(/[^A-Za-z0-9]/g, '_')}`,
        summary: `${method.name}${method.summary ? `: ${method.summary}` : ''}`,
        description,
        tags: [tag],
        ...(post.security ? { security: post.security } : {}),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['jsonrpc', 'method'],
                properties: {
                  jsonrpc: { const: '2.0' },
                  method: { const: method.name },
                  params: {
                    type: 'object',
                    properties: Object.fromEntries(
                      params.map((p) => [
                        p.name,
                        { ...(p.schema ?? {}), ...(p.description ? { description: p.description } : {}) },
                      ]),
                    ),
                    required: params.filter((p) => p.required).map((p) => p.name),
                  },
                  id: { type: ['string', 'integer', 'null'] },
                },
              },
              example: { jsonrpc: '2.0', method: method.name, params: example, id: '1' },
            },
          },
        },
        responses: {
          200: {
            description: 'The answer: `result` on success, `error` otherwise',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['jsonrpc', 'id'],
                  properties: {
                    jsonrpc: { const: '2.0' },
                    result: method.result?.schema ?? {},
                    error: errors.length
                      ? {
                          ...ERROR_OBJECT,
                          properties: {
                            ...ERROR_OBJECT.properties,
                            code: { type: 'integer', enum: errors.map((e) => e.code) },
                          },
                        }
                      : ERROR_OBJECT,
                    id: { type: ['string', 'integer', 'null'] },
                  },
                },
              },
            },
          },
        },
      },
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `${rpc.info?.title ?? m.plugin.http.docs.title}: JSON-RPC methods`,
      version: rpc.info?.version ?? m.plugin.version,
      description: `${rpc.info?.description ?? ''}\n\nEvery method is a POST to \`${endpoint}\`; the \`#method\` in each path only tells them apart. The OpenRPC document itself: [/openrpc/${m.plugin.id}.json](/openrpc/${m.plugin.id}.json).`,
    },
    ...(rest.servers ? { servers: rest.servers } : {}),
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { securitySchemes: rest.components?.securitySchemes ?? {} },
  }
}

function exampleOf(schema: Record<string, any> | undefined): unknown {
  if (!schema) return ''
  if (schema.examples?.[0] !== undefined) return schema.examples[0]
  if (schema.enum) return schema.enum[0]
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1
    case 'boolean':
      return true
    case 'array':
      return []
    case 'object':
      return {}
    default:
      return 'string'
  }
}
