import { z } from 'zod'
import type { MethodDef } from './method.ts'

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, {
    target: 'draft-7',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>
  return rest
}

export interface OpenRpcOptions<M extends MethodDef, E extends object = {}> {
  info: { title: string; version: string; description?: string }
  servers?: { name: string; url: string }[]
  /** The application errors a method may answer. */
  errorsOf?(method: M): { code: number; message: string }[]
  /** Extension fields of a method (`x-…`), after its errors. */
  extensionsOf?(method: M): E
}

/** OpenRPC 1.x, generated from the same zod definitions the dispatcher validates with. */
export function openrpcDocument<M extends MethodDef, E extends object = {}>(
  methods: readonly M[],
  o: OpenRpcOptions<M, E>,
) {
  return {
    openrpc: '1.3.2',
    info: o.info,
    ...(o.servers ? { servers: o.servers } : {}),
    methods: methods.map((m) => {
      const params = schema(m.params, 'input')
      const props = (params.properties ?? {}) as Record<string, Record<string, unknown>>
      const required = new Set((params.required as string[] | undefined) ?? [])
      return {
        name: m.name,
        summary: m.summary,
        paramStructure: 'by-name',
        params: Object.entries(props).map(([name, s]) => ({ name, required: required.has(name), schema: s })),
        result: { name: 'result', schema: schema(m.result, 'output') },
        errors: o.errorsOf?.(m) ?? [],
        ...(o.extensionsOf?.(m) as E),
        ...(m.aliases?.length ? { 'x-mailfront-aliases': m.aliases } : {}),
      }
    }),
  }
}
