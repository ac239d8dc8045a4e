import type { ModelDef, Where } from '@mailfront/core'
import { type RawBuilder, sql } from 'kysely'
import type { SqlFlavor } from './ddl.ts'
import { toDb } from './values.ts'

/** A checked `Where` as SQL for `flavor`: `ne` and `not_in` are null-safe, `ci` compares lower(). */
export function compileWhere(flavor: SqlFlavor, def: ModelDef, w: Where): RawBuilder<unknown> {
  if ('and' in w)
    return w.and.length
      ? sql`(${sql.join(
          w.and.map((c) => compileWhere(flavor, def, c)),
          sql` AND `,
        )})`
      : sql`1=1`
  if ('or' in w)
    return w.or.length
      ? sql`(${sql.join(
          w.or.map((c) => compileWhere(flavor, def, c)),
          sql` OR `,
        )})`
      : sql`1=0`
  const c = w.ci ? sql`lower(${sql.ref(w.field)})` : sql.ref(w.field)
  const val = (v: unknown) => {
    const x = toDb(flavor, def, w.field, v)
    return w.ci && typeof x === 'string' ? sql`lower(${x})` : sql`${x}`
  }
  const op = w.op ?? 'eq'
  if (op === 'eq' && w.value === null) return sql`${sql.ref(w.field)} IS NULL`
  if (op === 'ne' && w.value === null) return sql`${sql.ref(w.field)} IS NOT NULL`
  switch (op) {
    case 'eq':
      return sql`${c} = ${val(w.value)}`
    case 'ne':
      return flavor === 'sqlite'
        ? sql`${c} IS NOT ${val(w.value)}`
        : sql`${c} IS DISTINCT FROM ${val(w.value)}`
    case 'lt':
      return sql`${c} < ${val(w.value)}`
    case 'lte':
      return sql`${c} <= ${val(w.value)}`
    case 'gt':
      return sql`${c} > ${val(w.value)}`
    case 'gte':
      return sql`${c} >= ${val(w.value)}`
    case 'in':
    case 'not_in': {
      const list = w.value as unknown[]
      if (!list.length) return op === 'in' ? sql`1=0` : sql`1=1`
      const inner = sql`${c} IN (${sql.join(list.map(val))})`
      return op === 'in' ? inner : sql`(${c} IS NULL OR NOT ${inner})`
    }
    case 'contains':
      return flavor === 'sqlite'
        ? sql`instr(${c}, ${val(w.value)}) > 0`
        : sql`strpos(${c}, ${val(w.value)}) > 0`
    case 'starts_with':
      return sql`substr(${c}, 1, length(${val(w.value)})) = ${val(w.value)}`
    case 'ends_with':
      return flavor === 'sqlite'
        ? sql`substr(${c}, -length(${val(w.value)})) = ${val(w.value)}`
        : sql`right(${c}, length(${val(w.value)})) = ${val(w.value)}`
  }
}
