import type { z } from 'zod'

/**
 * One JSON-RPC method, declared once: its zod params validate the call and, with its result, make the
 * OpenRPC document. `C` is what the plugin hands each handler (its call context).
 */
export interface RpcMethod<
  P extends z.ZodObject = z.ZodObject,
  R extends z.ZodType = z.ZodType,
  C = unknown,
> {
  name: string
  summary: string
  params: P
  result: R
  /** Other names the method answers to (documented, not listed as methods). */
  aliases?: string[]
  handler(params: z.output<P>, call: C): Promise<z.output<R>>
}

/** A method as a table holds it: params and result erased, with the plugin's own fields `X`. */
export type MethodDef<C = unknown, X extends object = {}> = RpcMethod<z.ZodObject, z.ZodType, C> & X

/**
 * A `defineMethod` for one plugin: the handler's call context `C`, and fields `X` the plugin's hooks
 * read (access rules, documented errors), each method typed by its own params and result.
 */
export function methodDefiner<C, X extends object = {}>() {
  return <P extends z.ZodObject, R extends z.ZodType>(m: RpcMethod<P, R, C> & X): MethodDef<C, X> =>
    m as unknown as MethodDef<C, X>
}

/** Declare one method with no plugin fields. */
export const defineMethod = <P extends z.ZodObject, R extends z.ZodType, C = unknown>(
  m: RpcMethod<P, R, C>,
): MethodDef<C> => m as unknown as MethodDef<C>

/** Methods by name and alias; a name given twice is a mistake, refused at start. */
export function methodTable<M extends RpcMethod>(methods: readonly M[]): Map<string, M> {
  const byName = new Map<string, M>()
  for (const m of methods)
    for (const n of [m.name, ...(m.aliases ?? [])]) {
      if (byName.has(n)) throw new Error(`JSON-RPC method "${n}" is declared twice`)
      byName.set(n, m)
    }
  return byName
}
