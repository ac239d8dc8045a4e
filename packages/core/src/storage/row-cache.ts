import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { ModelSchema, Row, StorageAdapter, Where } from './types.ts'

/** The longest a model may declare in `cacheMs`: a change made elsewhere shows within it. */
export const ROW_CACHE_MAX_MS = 1_000

export interface RowCacheOptions {
  clock?: Clock
  /** Rows remembered at most, over all models (the oldest is dropped first). */
  maxEntries?: number
}

const WRITES = ['create', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'increment'] as const

/**
 * The per-instance principal cache: the rows a request reads to learn who is calling (an account, a
 * user, an API key, a session) are read on every request. A model that declares `cacheMs` (at most
 * 1 s) has the rows `findOne` finds by one equality (`{ field, value }`) reused for that long.
 *
 * - Any write to the model through this adapter (a password change, a revoke, a deauth, a cascade in
 *   a transaction) drops the model's remembered rows at once, and a read that a write overtook is not
 *   kept: on this instance a change is seen by the next request.
 * - A change made by another instance (or a CLI process) is seen here within `cacheMs`.
 * - Only rows that exist are remembered (a row created anywhere is found at once); each hit is a
 *   shallow copy, so a caller that changes its row does not change the cache.
 */
export function withRowCache(inner: StorageAdapter, opts: RowCacheOptions = {}): StorageAdapter {
  const clock = opts.clock ?? systemClock
  const max = opts.maxEntries ?? 10_000
  /** Model name → cacheMs, from the schemas given to migrate. */
  const ttl = new Map<string, number>()
  /** Per model: bumped by every write, so a read started before one is not kept. */
  const generation = new Map<string, number>()
  const rows = new Map<string, { model: string; until: number; row: Row }>()

  const drop = (model: string) => {
    if (!ttl.has(model)) return
    generation.set(model, (generation.get(model) ?? 0) + 1)
    for (const [k, v] of rows) if (v.model === model) rows.delete(k)
  }

  /** The cache key of a point read, or null when the read is not one (or the model is not cached). */
  const pointKey = (model: string, where: Where): string | null => {
    if (!ttl.has(model) || !('field' in where) || (where.op && where.op !== 'eq') || where.ci) return null
    const v = where.value
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') return null
    return `${model}\u0000${where.field}\u0000${typeof v}:${v}`
  }

  /** Writes through `target` drop the model's rows before they run and again once they are done. */
  function writes(target: StorageAdapter, after: (model: string) => void): Partial<StorageAdapter> {
    const out: Partial<StorageAdapter> = {}
    for (const name of WRITES) {
      const fn = target[name] as (a: { model: string }) => Promise<unknown>
      ;(out as Record<string, unknown>)[name] = async (a: { model: string }) => {
        drop(a.model)
        try {
          return await fn.call(target, a)
        } finally {
          after(a.model)
        }
      }
    }
    return out
  }

  return overlay(inner, {
    async migrate(models: ModelSchema) {
      for (const [name, def] of Object.entries(models))
        if (def.cacheMs && def.cacheMs > 0) ttl.set(name, Math.min(def.cacheMs, ROW_CACHE_MAX_MS))
      return inner.migrate(models)
    },
    async findOne<T extends Row = Row>(a: { model: string; where: Where }): Promise<T | null> {
      const key = pointKey(a.model, a.where)
      if (key === null) return inner.findOne<T>(a)
      const now = clock.now()
      const hit = rows.get(key)
      if (hit && hit.until > now) return { ...hit.row } as T
      if (hit) rows.delete(key)
      const gen = generation.get(a.model) ?? 0
      const row = await inner.findOne<T>(a)
      if (row && gen === (generation.get(a.model) ?? 0)) {
        if (rows.size >= max) rows.delete(rows.keys().next().value as string)
        rows.set(key, { model: a.model, until: now + ttl.get(a.model)!, row: { ...row } })
      }
      return row
    },
    ...writes(inner, drop),
    async truncate(models?: string[]) {
      // Every row may be gone: drop every model's rows, before and after.
      const all = () => {
        for (const m of ttl.keys()) drop(m)
      }
      all()
      try {
        return await inner.truncate(models)
      } finally {
        all()
      }
    },
    async transaction<R>(fn: (tx: StorageAdapter) => Promise<R>): Promise<R> {
      const touched = new Set<string>()
      try {
        return await inner.transaction((tx) =>
          fn(
            overlay(
              tx,
              writes(tx, (m) => touched.add(m)),
            ),
          ),
        )
      } finally {
        // Reads between a write and the commit saw the old row: drop again once it is committed.
        for (const m of touched) drop(m)
      }
    },
  })
}

/** `target` with some methods replaced; everything else (other methods too) is the target's own. */
function overlay<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<PropertyKey, unknown>()
  return new Proxy(target, {
    get(t, p) {
      if (Object.hasOwn(overrides, p)) return (overrides as Record<PropertyKey, unknown>)[p]
      const v = Reflect.get(t, p, t)
      if (typeof v !== 'function') return v
      let b = bound.get(p)
      if (!b) {
        b = v.bind(t)
        bound.set(p, b)
      }
      return b
    },
  })
}
