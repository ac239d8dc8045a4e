import { fieldDef, type ModelDef, parseJson, type Row, stringifyJson } from '@mailfront/core'
import type { SqlFlavor } from './ddl.ts'

/** A field's value as the backend stores it (JSON as text, SQLite booleans as 0/1, PG bigints as text). */
export function toDb(flavor: SqlFlavor, def: ModelDef, name: string, v: unknown): unknown {
  if (v === null || v === undefined) return null
  const f = fieldDef(def, name)
  if (f?.type === 'json') return stringifyJson(v)
  if (f?.type === 'boolean' && flavor === 'sqlite') return v ? 1 : 0
  if (typeof v === 'bigint' && flavor === 'postgres') return v.toString()
  return v
}

type Convert = (v: unknown) => unknown
const CONVERT: Record<string, Convert> = {
  integer: (v) => Number(v),
  timestamp: (v) => Number(v),
  bigint: (v) => BigInt(v as string | number | bigint),
  boolean: (v) => v === true || v === 1 || v === 1n || v === 't',
  json: (v) => parseJson(String(v)),
}
// Per model, the conversion of each column, worked out once: rows are converted in bulk (lists).
const converters = new WeakMap<ModelDef, Map<string, Convert | null>>()

/** A stored row back to the model's types. */
export function fromDb(def: ModelDef, raw: Record<string, unknown>): Row {
  let conv = converters.get(def)
  if (!conv) {
    conv = new Map()
    converters.set(def, conv)
  }
  const out: Record<string, unknown> = {}
  for (const k in raw) {
    const v = raw[k]
    let c = conv.get(k)
    if (c === undefined) {
      const f = fieldDef(def, k)
      c = (f && CONVERT[f.type]) || null
      conv.set(k, c)
    }
    out[k] = v === null || v === undefined ? null : c ? c(v) : v
  }
  return out as Row
}
