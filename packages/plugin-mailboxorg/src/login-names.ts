import type { StorageAdapter } from '@mailfront/core'
import {
  ACCOUNT,
  type AccountRow,
  DOMAIN,
  type DomainRow,
  type Level,
  MAIL,
  type MailRow,
  OPERATOR,
  type OperatorRow,
} from './store.ts'

/**
 * `auth {user}` names an operator, an account, a domain or a mailbox: one namespace over four
 * tables. A name is created in one of them only when no other kind holds it, so a reseller cannot
 * shadow another tenant's domain login by creating an account of the same name.
 */
export type LoginKind = 'operator' | 'account' | 'domain' | 'mail'

export interface Login {
  kind: LoginKind
  level: Level
  name: string
  /** null: the login exists but cannot log in (inactive, no password). */
  hash: string | null
}

const lower = (s: string) => s.trim().toLowerCase()

/** Every login of that name (more than one only in a store filled before names were kept apart). */
export async function loginsNamed(db: StorageAdapter, user: string): Promise<Login[]> {
  const name = lower(user)
  const by = (field: string) => ({ field, value: name })
  const [op, a, d, m] = await Promise.all([
    db.findOne<OperatorRow>({ model: OPERATOR, where: by('name') }),
    db.findOne<AccountRow>({ model: ACCOUNT, where: by('account') }),
    db.findOne<DomainRow>({ model: DOMAIN, where: by('domain') }),
    db.findOne<MailRow>({ model: MAIL, where: by('mail') }),
  ])
  const out: Login[] = []
  if (op) out.push({ kind: 'operator', level: op.level, name, hash: op.password_hash })
  if (a)
    out.push({ kind: 'account', level: 'account', name, hash: a.status === 'aktiv' ? a.password_hash : null })
  if (d) out.push({ kind: 'domain', level: 'domain', name, hash: d.password_hash })
  if (m) out.push({ kind: 'mail', level: 'mail', name, hash: m.active ? m.password_hash : null })
  return out
}

/** Whether a login of another kind already holds the name (creating it would make `auth` ambiguous). */
export async function nameTakenByOtherKind(db: StorageAdapter, name: string, kind: LoginKind) {
  return (await loginsNamed(db, name)).some((l) => l.kind !== kind)
}
