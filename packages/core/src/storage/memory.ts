import { randomUUID } from 'node:crypto'
import { modelOf, prepareCreate, prepareSet, uniqueGroups } from './schema.ts'
import {
  AmbiguousMatchError,
  type FindManyArgs,
  type ModelSchema,
  type Row,
  type StorageAdapter,
  selectedFields,
  UniqueViolationError,
  type Where,
} from './types.ts'
import { assertWhere, compareRows, matches } from './where.ts'
import { aroundStorageMethods, STORAGE_CALLS } from './wrap.ts'

interface State {
  tables: Map<string, Map<string | number, Record<string, unknown>>>
  serials: Map<string, number>
}

function cloneState(s: State): State {
  const tables = new Map<string, Map<string | number, Record<string, unknown>>>()
  for (const [k, t] of s.tables) tables.set(k, new Map([...t].map(([id, r]) => [id, { ...r }])))
  return { tables, serials: new Map(s.serials) }
}

const copy = <T>(r: Record<string, unknown>) => ({ ...r }) as T

/** The in-memory adapter: for tests and `memory:` stores. Transactions run on a copy, swapped in on commit. */
export function memoryAdapter(): StorageAdapter {
  const schema: ModelSchema = {}
  let state: State = { tables: new Map(), serials: new Map() }
  let queue: Promise<unknown> = Promise.resolve()

  // Serialize each operation against the lock a transaction holds across its awaits.
  function locked<R>(fn: () => R | Promise<R>): Promise<R> {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  function ops(get: () => State): StorageAdapter {
    const table = (model: string) => {
      modelOf(schema, model)
      const t = get().tables.get(model)
      if (!t) throw new Error(`model "${model}" is not migrated`)
      return t
    }
    const select = (model: string, where?: Where) => {
      if (where) assertWhere(model, modelOf(schema, model), where)
      const rows = [...table(model).values()]
      return where ? rows.filter((r) => matches(r, where)) : rows
    }
    const checkUnique = (model: string, row: Record<string, unknown>, selfId?: string | number) => {
      for (const g of uniqueGroups(modelOf(schema, model))) {
        if (g.some((f) => row[f] === null || row[f] === undefined)) continue
        for (const other of table(model).values()) {
          if (other.id === selfId) continue
          if (g.every((f) => compareRows(other, row, f) === 0)) throw new UniqueViolationError(model, g)
        }
      }
    }
    const single = (model: string, where: Where) => {
      const found = select(model, where)
      if (found.length > 1) throw new AmbiguousMatchError(model)
      return found[0] ?? null
    }
    const self: StorageAdapter = {
      id: 'memory',
      persistent: false,
      async migrate(models) {
        Object.assign(schema, models)
        for (const name of Object.keys(models)) if (!get().tables.has(name)) get().tables.set(name, new Map())
      },
      async create({ model, data }) {
        const def = modelOf(schema, model)
        const row = prepareCreate(model, def, data)
        if (def.id === 'serial') {
          const next = (get().serials.get(model) ?? 0) + 1
          if (row.id === undefined) row.id = next
          get().serials.set(model, Math.max(next, Number(row.id)))
        } else row.id ??= randomUUID()
        if (table(model).has(row.id as string)) throw new UniqueViolationError(model, ['id'])
        checkUnique(model, row)
        table(model).set(row.id as string, row)
        return copy(row)
      },
      async findOne({ model, where }) {
        const r = select(model, where)[0]
        return r ? copy(r) : null
      },
      async findMany({ model, where, sort, limit, offset, select: fields }: FindManyArgs) {
        const only = fields && selectedFields(model, modelOf(schema, model), fields)
        let rows = select(model, where)
        const keys = [...(sort ?? []), { field: 'id', dir: 'asc' as const }]
        rows.sort((a, b) => {
          for (const s of keys) {
            const c = compareRows(a, b, s.field)
            if (c) return s.dir === 'desc' ? -c : c
          }
          return 0
        })
        rows = rows.slice(offset ?? 0, limit === undefined ? undefined : (offset ?? 0) + limit)
        if (only) return rows.map((r) => copy(Object.fromEntries(only.map((f) => [f, r[f]])) as Row))
        return rows.map((r) => copy(r))
      },
      async count({ model, where }) {
        return select(model, where).length
      },
      async updateOne({ model, where, set }) {
        const patch = prepareSet(model, modelOf(schema, model), set)
        const r = single(model, where)
        if (!r) return null
        const next = { ...r, ...patch }
        checkUnique(model, next, r.id as string)
        table(model).set(r.id as string, next)
        return copy(next)
      },
      async updateMany({ model, where, set }) {
        const patch = prepareSet(model, modelOf(schema, model), set)
        const rows = select(model, where)
        for (const r of rows) checkUnique(model, { ...r, ...patch }, r.id as string)
        for (const r of rows) table(model).set(r.id as string, { ...r, ...patch })
        return rows.length
      },
      async deleteOne({ model, where }) {
        const r = single(model, where)
        if (!r) return false
        return table(model).delete(r.id as string)
      },
      async deleteMany({ model, where }) {
        const rows = select(model, where)
        for (const r of rows) table(model).delete(r.id as string)
        return rows.length
      },
      async increment({ model, where, by, set }) {
        const def = modelOf(schema, model)
        const r = single(model, where)
        if (!r) return null
        const patch = prepareSet(model, def, set ?? {})
        for (const [k, d] of Object.entries(by)) {
          const cur = r[k]
          patch[k] = typeof cur === 'bigint' ? cur + BigInt(d) : Number(cur) + Number(d)
        }
        const next = { ...r, ...prepareSet(model, def, patch) }
        table(model).set(r.id as string, next)
        return copy(next)
      },
      async truncate(models) {
        const names = models ?? [...get().tables.keys()]
        for (const name of names) {
          table(name).clear()
          get().serials.delete(name)
        }
      },
      async transaction(fn) {
        return fn(self)
      },
      async ping() {},
      async close() {},
    }
    return self
  }

  const base = ops(() => state)
  const wrapped = aroundStorageMethods(base, STORAGE_CALLS, locked)
  wrapped.transaction = <R>(fn: (tx: StorageAdapter) => Promise<R>) =>
    locked(async () => {
      let draft = cloneState(state)
      const tx = ops(() => draft)
      const result = await fn(tx)
      state = draft
      draft = state
      return result
    })
  return wrapped
}

export type { Row }
