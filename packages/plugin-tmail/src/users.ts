import {
  assertSmtpLoginFree,
  hashBcrypt,
  type PluginContext,
  type StorageAdapter,
  sha512Crypt,
  sha512CryptSalt,
  UniqueViolationError,
  type z,
} from '@mailfront/core'
import type { NewUserBody } from './docs.ts'
import { errors, raw } from './errors.ts'
import { QUOTA, type TmailOptions } from './options.ts'
import { USER, type UserRow } from './store.ts'

/** The decoded body of POST /users/{login} (its schema is the route's, in docs.ts). */
export type NewUser = z.output<typeof NewUserBody>

export const DUPLICATE_RAW = 'UNIQUE constraint failed: users.login'

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')
// Close to Go's net/mail.ParseAddress for a bare address: one @, no spaces, a dotted or plain domain.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/

export const PASSWORD_TOO_SHORT = 'password must be at least 6 chars length'

/** tmail's Home: `<base>/<first char of domain>/<domain>/<first char of local>/<local>`. */
export function homeOf(base: string, login: string): string {
  const [local, domain] = login.split('@') as [string, string]
  return `${base}/${domain[0]}/${domain}/${local[0]}/${local}`
}

export interface ValidUser {
  login: string
  domain: string | null
  quota: string
  home: string
}

/** The checks of tmail's UserAdd, in its order; each failure is the 422 with the original's message. */
export function validateNewUser(opts: TmailOptions, pathLogin: string, u: NewUser): ValidUser {
  const login = pathLogin.toLowerCase()
  if (bytes(login) > 256) throw errors.CREATE_FAILED(raw('login must have less than 256 chars'))
  if (bytes(login) < 4) throw errors.CREATE_FAILED(raw('login must be at least 4 char'))
  if (bytes(u.passwd) < 6) throw errors.CREATE_FAILED(raw(PASSWORD_TOO_SHORT))
  if (u.isCatchall && !u.haveMailbox)
    throw errors.CREATE_FAILED(raw('only users with mailbox can be defined as catchall'))
  if (!u.haveMailbox) return { login, domain: null, quota: '', home: '' }
  if (!EMAIL.test(login) || login.split('@').length !== 2)
    throw errors.CREATE_FAILED(raw("'login' must be a valid email address"))
  const quota = u.mailboxQuota || opts.defaultQuota
  if (!QUOTA.test(quota))
    throw errors.CREATE_FAILED(
      raw(`mailboxQuota must be a number of bytes, optionally followed by K, M or G, got "${quota}"`),
    )
  return { login, domain: login.split('@')[1]!, quota, home: homeOf(opts.homeBase, login) }
}

/** Both hashes tmail stores: bcrypt `$2a$10$` and SHA-512 crypt with a 16-hex salt (Dovecot). */
export async function hashesFor(password: string): Promise<{ passwd: string; dove_passwd: string }> {
  // Both slow hashes run off the event loop (bcrypt on libuv's threads, SHA-512 crypt on a worker).
  const [passwd, dove_passwd] = await Promise.all([
    hashBcrypt(password),
    sha512Crypt(password, sha512CryptSalt()),
  ])
  return { passwd, dove_passwd }
}

export const findUser = (db: StorageAdapter, login: string) =>
  db.findOne<UserRow>({ model: USER, where: { field: 'login', value: login.toLowerCase() } })

async function catchallOf(db: StorageAdapter, domain: string) {
  return db.findOne<UserRow>({ model: USER, where: { field: 'catchall_domain', value: domain } })
}

export async function createUser(
  ctx: PluginContext,
  opts: TmailOptions,
  pathLogin: string,
  u: NewUser,
): Promise<UserRow> {
  const v = validateNewUser(opts, pathLogin, u)
  const catchallTaken = (login: string) =>
    errors.CREATE_FAILED(raw(`domain ${v.domain} already have a catchall: ${login}`))
  if (u.isCatchall && v.domain) {
    const other = await catchallOf(ctx.storage, v.domain)
    if (other) throw catchallTaken(other.login)
  }
  // One SMTP login namespace: a login another provider holds is "taken", as a tmail duplicate is.
  await assertSmtpLoginFree(ctx, 'tmail', v.login, () => errors.CREATE_FAILED(raw(DUPLICATE_RAW)))
  const data = {
    login: v.login,
    ...(await hashesFor(u.passwd)),
    auth_relay: u.authRelay,
    have_mailbox: u.haveMailbox,
    is_catchall: u.isCatchall,
    mailbox_quota: v.quota,
    home: v.home,
    catchall_domain: u.isCatchall ? v.domain : null,
  }
  try {
    return await ctx.storage.create<UserRow>({ model: USER, data })
  } catch (e) {
    if (!(e instanceof UniqueViolationError)) throw e
    if (e.fields.includes('catchall_domain') && v.domain) {
      const other = await catchallOf(ctx.storage, v.domain)
      throw catchallTaken(other?.login ?? '')
    }
    // The seed's exact text, whatever the backend said.
    throw errors.CREATE_FAILED(raw(DUPLICATE_RAW))
  }
}

/** PUT /users/:login. Both hashes are regenerated (the original kept a stale DovePasswd without a mailbox). */
export async function changePassword(ctx: PluginContext, pathLogin: string, password: string): Promise<void> {
  const user = await findUser(ctx.storage, pathLogin)
  if (!user) throw errors.NO_SUCH_USER({ message: `no such user ${pathLogin}` })
  if (bytes(password) < 6) throw errors.PASSWORD_FAILED(raw(PASSWORD_TOO_SHORT))
  const updated = await ctx.storage.updateOne({
    model: USER,
    where: { field: 'id', value: user.id },
    set: await hashesFor(password),
  })
  if (!updated) throw errors.NO_SUCH_USER({ message: `no such user ${pathLogin}` })
}

export async function deleteUser(ctx: PluginContext, pathLogin: string): Promise<void> {
  const gone = await ctx.storage.deleteOne({
    model: USER,
    where: { field: 'login', value: pathLogin.toLowerCase() },
  })
  if (!gone) throw errors.NO_SUCH_USER({ message: `no such user ${pathLogin}` })
}
