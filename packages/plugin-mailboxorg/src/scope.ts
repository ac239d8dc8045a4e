import { type Row, UniqueViolationError } from '@mailfront/core'
import { type AppErrorName, errors } from './errors.ts'
import type { Call } from './method.ts'
import {
  ACCOUNT,
  type AccountRow,
  DOMAIN,
  type DomainRow,
  MAIL,
  type MailRow,
  type SessionRow,
} from './store.ts'

// Every handler that reaches an object goes through these: found (or the not-found code), then in scope.

const lower = (s: string) => s.trim().toLowerCase()

async function resellerOwns(call: Call, account: string): Promise<boolean> {
  const a = await call.ctx.storage.findOne<AccountRow>({
    model: ACCOUNT,
    where: { field: 'account', value: account },
  })
  return a?.reseller === call.session!.principal
}

const s = (call: Call): SessionRow => call.session!

export async function findAccount(call: Call, name: string) {
  return call.ctx.storage.findOne<AccountRow>({
    model: ACCOUNT,
    where: { field: 'account', value: lower(name) },
  })
}

export async function accountInScope(call: Call, a: AccountRow): Promise<boolean> {
  const { level, principal } = s(call)
  if (level === 'admin') return true
  if (level === 'reseller') return a.reseller === principal
  return level === 'account' && a.account === principal
}

export async function domainInScope(call: Call, d: DomainRow): Promise<boolean> {
  const { level, principal } = s(call)
  if (level === 'admin') return true
  if (level === 'reseller') return resellerOwns(call, d.account)
  if (level === 'account') return d.account === principal
  return level === 'domain' && d.domain === principal
}

export async function mailInScope(call: Call, m: MailRow): Promise<boolean> {
  const { level, principal } = s(call)
  if (level === 'admin') return true
  if (level === 'reseller') return resellerOwns(call, m.account)
  if (level === 'account') return m.account === principal
  if (level === 'domain') return m.domain === principal
  return m.mail === principal
}

// Scope is decided before existence: below admin, a name outside the session's scope answers
// "Access denied" whether or not it exists, so no tenant learns another tenant's names. A missing
// name answers "not found" only where the session would hold it if it existed: anything for the
// admin, a mailbox of a domain in scope.

const deniedOr = (call: Call, missing: AppErrorName) =>
  errors[s(call).level === 'admin' ? missing : 'ACCESS_DENIED']()

export async function requireAccount(call: Call, name: string): Promise<AccountRow> {
  const a = await findAccount(call, name)
  if (a && (await accountInScope(call, a))) return a
  throw a ? errors.ACCESS_DENIED() : deniedOr(call, 'ACCOUNT_NOT_FOUND')
}

const findDomain = (call: Call, name: string) =>
  call.ctx.storage.findOne<DomainRow>({ model: DOMAIN, where: { field: 'domain', value: lower(name) } })

export async function requireDomain(call: Call, name: string): Promise<DomainRow> {
  const d = await findDomain(call, name)
  if (d && (await domainInScope(call, d))) return d
  throw d ? errors.ACCESS_DENIED() : deniedOr(call, 'DOMAIN_NOT_FOUND')
}

export async function requireMail(call: Call, name: string): Promise<MailRow> {
  const m = await call.ctx.storage.findOne<MailRow>({
    model: MAIL,
    where: { field: 'mail', value: lower(name) },
  })
  if (m && (await mailInScope(call, m))) return m
  if (m || s(call).level === 'mail') throw errors.ACCESS_DENIED()
  if (s(call).level === 'admin') throw errors.MAIL_NOT_FOUND()
  const d = await findDomain(call, lower(name).split('@')[1] ?? '')
  throw errors[d && (await domainInScope(call, d)) ? 'MAIL_NOT_FOUND' : 'ACCESS_DENIED']()
}

/** Create an object whose name is unique; a taken name answers the method's "already exists" code. */
export async function createNamed<T extends Row>(
  call: Call,
  model: string,
  data: Record<string, unknown>,
  exists: AppErrorName,
): Promise<T> {
  try {
    return await call.ctx.storage.create<T>({ model, data: { ...data, created_at: call.ctx.clock.now() } })
  } catch (e) {
    if (e instanceof UniqueViolationError) throw errors[exists]()
    throw e
  }
}
