import { UniqueViolationError } from '@mailfront/core'

/** A driver's unique-constraint failure (PostgreSQL 23505, SQLite CONSTRAINT_UNIQUE) as the contract's error. */
export function uniqueFromError(model: string, e: unknown): UniqueViolationError | null {
  const err = e as { code?: string; message?: string; detail?: string }
  if (err?.code === '23505') {
    const m = /Key \(([^)]+)\)/.exec(err.detail ?? '')
    return new UniqueViolationError(
      model,
      m ? m[1]!.split(',').map((s) => s.trim().replace(/"/g, '')) : [],
      e,
    )
  }
  if (typeof err?.code === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(err.code)) {
    const m = /failed: (.*)$/.exec(err.message ?? '')
    const fields = m ? m[1]!.split(',').map((s) => s.trim().split('.').pop()!) : []
    return new UniqueViolationError(model, fields, e)
  }
  return null
}
