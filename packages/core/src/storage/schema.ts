import type { FieldDef, ModelDef, ModelSchema } from './types.ts'
import { UnknownModelError } from './types.ts'

export function modelOf(schema: ModelSchema, model: string): ModelDef {
  const def = schema[model]
  if (!def) throw new UnknownModelError(model)
  return def
}

function coerce(model: string, name: string, f: FieldDef, v: unknown): unknown {
  if (v === undefined || v === null) {
    if (!f.optional) throw new TypeError(`${model}.${name} is required`)
    return null
  }
  const bad = () => new TypeError(`${model}.${name} must be ${f.type}, got ${typeof v}`)
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') throw bad()
      return v
    case 'integer':
    case 'timestamp':
      if (
        typeof v === 'bigint' &&
        v <= BigInt(Number.MAX_SAFE_INTEGER) &&
        v >= BigInt(Number.MIN_SAFE_INTEGER)
      )
        return Number(v)
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad()
      return v
    case 'bigint':
      if (typeof v === 'bigint') return v
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v)
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v)
      throw bad()
    case 'boolean':
      if (typeof v !== 'boolean') throw bad()
      return v
    case 'json':
      return v
  }
}

/** Validate and complete a row for create: defaults applied, required checked, types coerced. */
export function prepareCreate(
  model: string,
  def: ModelDef,
  data: Record<string, unknown>,
): Record<string, unknown> {
  for (const k of Object.keys(data)) {
    if (k !== 'id' && !def.fields[k]) throw new TypeError(`unknown field "${k}" on ${model}`)
  }
  const out: Record<string, unknown> = {}
  if (data.id !== undefined) out.id = data.id
  for (const [name, f] of Object.entries(def.fields)) {
    let v = data[name]
    if (v === undefined && f.default !== undefined)
      v = typeof f.default === 'function' ? f.default() : f.default
    out[name] = coerce(model, name, f, v)
  }
  return out
}

/** Validate a partial update. */
export function prepareSet(
  model: string,
  def: ModelDef,
  set: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue
    const f = def.fields[k]
    if (!f) throw new TypeError(`unknown or immutable field "${k}" on ${model}`)
    out[k] = coerce(model, k, f, v)
  }
  return out
}

/** Unique field groups of a model (single unique fields and unique indexes). */
export function uniqueGroups(def: ModelDef): string[][] {
  const groups: string[][] = [['id']]
  for (const [name, f] of Object.entries(def.fields)) if (f.unique) groups.push([name])
  for (const idx of def.indexes ?? []) if (idx.unique) groups.push(idx.fields)
  return groups
}

/** Check every model name is namespaced `<pluginId>_…` and field names are plain identifiers. */
export function assertModelNames(pluginId: string, models: ModelSchema): void {
  for (const [name, def] of Object.entries(models)) {
    if (!name.startsWith(`${pluginId}_`))
      throw new Error(`plugin "${pluginId}" declares model "${name}" outside its namespace "${pluginId}_"`)
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`model name "${name}" must be lower_snake_case`)
    for (const f of Object.keys(def.fields)) {
      if (!/^[a-z][a-z0-9_]*$/.test(f) || f === 'id')
        throw new Error(`field "${name}.${f}" must be lower_snake_case and not "id"`)
    }
  }
}
