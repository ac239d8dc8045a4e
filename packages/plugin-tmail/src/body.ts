/**
 * Decode a request body the way tmail's Go handlers did: keys matched to the struct's field names
 * case-insensitively, unknown keys ignored, `null` leaving the zero value, a wrong type an error.
 */
export type FieldKind = 'string' | 'bool'

export class BodyError extends Error {}

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v

/** `fields` maps Go field names to their kind; `aliases` adds other accepted key spellings. */
export function decodeGoBody<T extends Record<string, string | boolean>>(
  text: string,
  fields: Record<keyof T & string, FieldKind>,
  aliases: Record<string, keyof T & string> = {},
): T {
  if (text.trim() === '') throw new BodyError('EOF')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new BodyError((e as Error).message)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BodyError(`json: cannot unmarshal ${jsonType(value)} into Go value of type struct`)
  const byLower = new Map<string, keyof T & string>()
  for (const f of Object.keys(fields)) byLower.set(f.toLowerCase(), f)
  for (const [a, f] of Object.entries(aliases)) byLower.set(a.toLowerCase(), f)
  const out: Record<string, string | boolean> = {}
  for (const f of Object.keys(fields)) out[f] = fields[f as keyof T & string] === 'bool' ? false : ''
  for (const [k, v] of Object.entries(value)) {
    const f = byLower.get(k.toLowerCase())
    if (!f || v === null) continue
    const kind = fields[f]
    const ok = kind === 'bool' ? typeof v === 'boolean' : typeof v === 'string'
    if (!ok)
      throw new BodyError(
        `json: cannot unmarshal ${jsonType(v)} into Go struct field .${f} of type ${kind === 'bool' ? 'bool' : 'string'}`,
      )
    out[f] = v as string | boolean
  }
  return out as T
}
