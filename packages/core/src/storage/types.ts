/** Field types: `integer` is a JS number (safe range), `bigint` a JS bigint, `timestamp` epoch ms. */
export type FieldType = 'string' | 'integer' | 'bigint' | 'boolean' | 'json' | 'timestamp'

export interface FieldDef {
  type: FieldType
  /** Nullable when true; a missing optional value is stored as null. */
  optional?: boolean
  unique?: boolean
  index?: boolean
  default?: unknown
}

export interface ModelDef {
  /** `uuid` (default): a string id generated on create; `serial`: an increasing integer. */
  id?: 'uuid' | 'serial'
  fields: Record<string, FieldDef>
  indexes?: { fields: string[]; unique?: boolean }[]
  /**
   * Principal rows (read on every request to know the caller): a server using `withRowCache` reuses
   * a row found by one equality for this many ms, at most 1000. Writes through that server drop it
   * at once; other instances' writes show within this time.
   */
  cacheMs?: number
}

/** Models keyed by name; every name is `<pluginId>_<model>`. */
export type ModelSchema = Record<string, ModelDef>

export type Row = Record<string, unknown> & { id: string | number }

export type Op =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'not_in'
  | 'contains'
  | 'starts_with'
  | 'ends_with'

/** An explicit boolean tree: no implicit precedence. `ci` compares strings case-insensitively. */
export type Where =
  | { field: string; op?: Op; value: unknown; ci?: boolean }
  | { and: Where[] }
  | { or: Where[] }

export interface Sort {
  field: string
  dir?: 'asc' | 'desc'
}

export interface FindManyArgs {
  model: string
  where?: Where
  sort?: Sort[]
  limit?: number
  offset?: number
  /**
   * Only these fields (and `id`, always) in each row: a read that needs a few small columns never
   * loads a large one. Where and sort may still name any field. Unset: every field.
   */
  select?: string[]
}

/** The columns `select` names, with `id`, checked against the model (an unknown one throws). */
export function selectedFields(model: string, def: ModelDef, select: string[]): string[] {
  for (const f of select)
    if (f !== 'id' && !def.fields[f]) throw new Error(`unknown select field "${f}" on ${model}`)
  return ['id', ...new Set(select.filter((f) => f !== 'id'))]
}

export interface ScanArgs {
  model: string
  /** `id` or the model's fields; string and integer fields only. */
  columns: string[]
  /** Rows after this id (none: from the first). */
  afterId?: number
  limit: number
  offset?: number
}

export interface StorageAdapter {
  readonly id: string
  /** false: the store is gone with the process (in memory); absent or true: it outlives it. */
  readonly persistent?: boolean
  /** Create or migrate tables for the declared models. */
  migrate(models: ModelSchema): Promise<void>
  create<T extends Row = Row>(a: { model: string; data: Record<string, unknown> }): Promise<T>
  findOne<T extends Row = Row>(a: { model: string; where: Where }): Promise<T | null>
  findMany<T extends Row = Row>(a: FindManyArgs): Promise<T[]>
  count(a: { model: string; where?: Where }): Promise<number>
  /** Updates exactly one row; null when none matches; throws AmbiguousMatchError when several do. */
  updateOne<T extends Row = Row>(a: {
    model: string
    where: Where
    set: Record<string, unknown>
  }): Promise<T | null>
  updateMany(a: { model: string; where: Where; set: Record<string, unknown> }): Promise<number>
  deleteOne(a: { model: string; where: Where }): Promise<boolean>
  deleteMany(a: { model: string; where: Where }): Promise<number>
  /** Atomically adds `by` to one row; `where` doubles as the guard (null when it does not hold). */
  increment<T extends Row = Row>(a: {
    model: string
    where: Where
    by: Record<string, number | bigint>
    set?: Record<string, unknown>
  }): Promise<T | null>
  /**
   * Empties every migrated model (or only the named ones) in one step, restarting serial ids: a store
   * as new, schema kept. For a run-time reset; far cheaper than a deleteMany per model.
   */
  truncate(models?: string[]): Promise<void>
  /** Runs fn atomically; a throw rolls everything back. */
  transaction<R>(fn: (tx: StorageAdapter) => Promise<R>): Promise<R>
  /**
   * Optional, for long lists of a `serial` model: up to `limit` rows with `id > afterId`, in id
   * order, each an array of the `columns`' values as stored (strings and integers as they are), from
   * one prepared statement. Use `scanRows`, which falls back to `findMany` without it.
   */
  scanRaw?(a: ScanArgs): Promise<unknown[][]>
  /** Is the backend reachable (for /readyz). */
  ping(): Promise<void>
  close(): Promise<void>
}

export class UniqueViolationError extends Error {
  constructor(
    readonly model: string,
    readonly fields: string[],
    cause?: unknown,
  ) {
    super(
      `unique constraint failed: ${model}.${fields.join(',')}`,
      cause === undefined ? undefined : { cause },
    )
    this.name = 'UniqueViolationError'
  }
}

export class AmbiguousMatchError extends Error {
  constructor(readonly model: string) {
    super(`more than one ${model} row matches a single-row operation`)
    this.name = 'AmbiguousMatchError'
  }
}

export class UnknownModelError extends Error {
  constructor(readonly model: string) {
    super(`unknown model "${model}"`)
    this.name = 'UnknownModelError'
  }
}
