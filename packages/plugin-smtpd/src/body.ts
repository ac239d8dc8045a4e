import { type PluginEnv, readBodyText } from '@mailfront/core'
import type { Context } from 'hono'
import { errors } from './errors.ts'

/** A JSON or form body as string fields; empty when there is none (the password grant sends none). */
export async function readFields(c: Context<PluginEnv>, limit: number): Promise<Record<string, string>> {
  const text = await readBodyText(c, limit)
  if (!text.trim()) return {}
  const type = c.req.header('content-type') ?? ''
  const asForm = () => Object.fromEntries(new URLSearchParams(text))
  if (type.includes('application/x-www-form-urlencoded')) return asForm()
  try {
    const v = JSON.parse(text)
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw errors.VALIDATION_FAILED({ message: 'Validation failed: the body must be a JSON object' })
    return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<
      string,
      string
    >
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e
    if (type.includes('json'))
      throw errors.VALIDATION_FAILED({ message: 'Validation failed: malformed JSON body' })
    return asForm()
  }
}
