import type { FieldDef, ModelDef, Where } from './types.ts'

export function isLeaf(w: Where): w is Extract<Where, { field: string }> {
  return 'field' in w
}

/** Fields a model row has: `id` plus the declared ones. */
export function fieldNames(def: ModelDef): string[] {
  return ['id', ...Object.keys(def.fields)]
}

export function fieldDef(def: ModelDef, name: string): FieldDef | undefined {
  if (name === 'id') return { type: def.id === 'serial' ? 'integer' : 'string' }
  return def.fields[name]
}

/** Reject a where tree naming unknown fields or operators (a typo must not match everything). */
export function assertWhere(model: string, def: ModelDef, w: Where): void {
  if (isLeaf(w)) {
    if (!fieldDef(def, w.field)) throw new Error(`unknown field "${w.field}" in where on ${model}`)
    const op = w.op ?? 'eq'
    if ((op === 'in' || op === 'not_in') && !Array.isArray(w.value))
      throw new Error(`"${op}" needs an array value`)
    return
  }
  const list = 'and' in w ? w.and : w.or
  if (!Array.isArray(list)) throw new Error(`malformed where on ${model}`)
  for (const c of list) assertWhere(model, def, c)
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint)
    const y = BigInt(b as bigint)
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
}

function fold(v: unknown, ci: boolean | undefined): unknown {
  return ci && typeof v === 'string' ? v.toLowerCase() : v
}

function eq(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null)
  return cmp(a, b) === 0
}

/** Evaluate a where tree against a row (memory adapter; SQL adapters compile it instead). */
export function matches(row: Record<string, unknown>, w: Where): boolean {
  if (!isLeaf(w)) return 'and' in w ? w.and.every((c) => matches(row, c)) : w.or.some((c) => matches(row, c))
  const v = fold(row[w.field], w.ci)
  const x = Array.isArray(w.value) ? w.value.map((e) => fold(e, w.ci)) : fold(w.value, w.ci)
  switch (w.op ?? 'eq') {
    case 'eq':
      return eq(v, x)
    case 'ne':
      return !eq(v, x)
    case 'lt':
      return v !== null && v !== undefined && cmp(v, x) < 0
    case 'lte':
      return v !== null && v !== undefined && cmp(v, x) <= 0
    case 'gt':
      return v !== null && v !== undefined && cmp(v, x) > 0
    case 'gte':
      return v !== null && v !== undefined && cmp(v, x) >= 0
    case 'in':
      return (x as unknown[]).some((e) => eq(v, e))
    case 'not_in':
      return !(x as unknown[]).some((e) => eq(v, e))
    case 'contains':
      return typeof v === 'string' && v.includes(String(x))
    case 'starts_with':
      return typeof v === 'string' && v.startsWith(String(x))
    case 'ends_with':
      return typeof v === 'string' && v.endsWith(String(x))
  }
}

export function compareRows(a: Record<string, unknown>, b: Record<string, unknown>, field: string): number {
  const x = a[field]
  const y = b[field]
  if (x === y) return 0
  if (x === null || x === undefined) return -1
  if (y === null || y === undefined) return 1
  return cmp(x, y)
}
