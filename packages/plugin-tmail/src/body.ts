import { z } from '@mailfront/core'
import { errors, raw } from './errors.ts'

/**
 * Request bodies as tmail's Go handlers decoded them (encoding/json into a struct), described by the
 * zod object that the docs show: keys matched to the fields case-insensitively, unknown keys
 * ignored, `null` or a missing key leaving the field's zero value (its `.default()`), a wrong type an
 * error with Go's text (tmail's BAD_JSON, the text as `raw`). The Go field name is the key with its
 * first letter upper-cased.
 */

type GoField = z.ZodDefault<z.ZodString> | z.ZodDefault<z.ZodBoolean>
export type GoShape = Record<string, GoField>

/** A Go `string` field: zero value "". */
export const goString = () => z.string().default('')
/** A Go `bool` field: zero value false. */
export const goBool = () => z.boolean().default(false)

const ALIASES = new WeakMap<z.ZodType, string[]>()

/** Other key spellings a field also accepts, e.g. a historical misspelling. Apply last: zod clones on `.describe()`. */
export function alsoAccepts<F extends GoField>(field: F, ...keys: string[]): F {
  ALIASES.set(field, keys)
  return field
}

const badJson = (text: string) => errors.BAD_JSON(raw(text))

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v

const goName = (key: string) => key[0]!.toUpperCase() + key.slice(1)
const goType = (f: GoField) => (f.def.innerType.def.type === 'boolean' ? 'bool' : 'string')

/** Decode `text` into `schema`'s fields; the first wrong type in the document's order is the error. */
export function decodeGoBody<S extends GoShape>(
  text: string,
  schema: z.ZodObject<S>,
): z.output<z.ZodObject<S>> {
  if (text.trim() === '') throw badJson('EOF')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw badJson((e as Error).message)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badJson(`json: cannot unmarshal ${jsonType(value)} into Go value of type struct`)
  const shape: GoShape = schema.shape
  const byLower = new Map<string, string>()
  for (const [key, field] of Object.entries(shape)) {
    byLower.set(key.toLowerCase(), key)
    for (const a of ALIASES.get(field) ?? []) byLower.set(a.toLowerCase(), key)
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const key = byLower.get(k.toLowerCase())
    if (!key || v === null) continue
    const field = shape[key]!
    if (!field.safeParse(v).success)
      throw badJson(
        `json: cannot unmarshal ${jsonType(v)} into Go struct field .${goName(key)} of type ${goType(field)}`,
      )
    out[key] = v
  }
  return schema.parse(out)
}
