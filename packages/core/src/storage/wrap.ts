import type { StorageAdapter } from './types.ts'

/** The adapter's calls on tables and rows: what a wrapper (a lock, an error mapping) goes around. */
export const STORAGE_CALLS = [
  'migrate',
  'create',
  'findOne',
  'findMany',
  'count',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'increment',
] as const satisfies readonly (keyof StorageAdapter)[]

/**
 * A copy of `adapter` in which each named method it has runs inside `around(call)`; the others are
 * the adapter's own (an optional method it lacks stays absent).
 */
export function aroundStorageMethods(
  adapter: StorageAdapter,
  names: readonly (keyof StorageAdapter)[],
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): StorageAdapter {
  const out = { ...adapter } as Record<string, unknown>
  for (const name of names) {
    const fn = (adapter as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[
      name
    ]
    if (fn) out[name] = (...args: unknown[]) => around(() => fn.apply(adapter, args))
  }
  return out as unknown as StorageAdapter
}
