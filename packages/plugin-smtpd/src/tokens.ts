import { randomBytes } from 'node:crypto'
import {
  createHs256,
  type LoginThrottleLimits,
  type PluginContext,
  passwordAuth,
  safeEqual,
  sha256Hex,
  upsertOne,
} from '@mailfront/core'
import { errors, loginThrottled } from './errors.ts'
import { type Role, roleId } from './roles.ts'
import {
  ACCOUNT,
  type AccountRow,
  API_KEY,
  type ApiKeyRow,
  REFRESH,
  type RefreshRow,
  USER,
  type UserRow,
} from './store.ts'

export interface SmtpdOptions {
  issuer: string
  accessTtlS: number
  refreshTtlMs: number
  keyIdleMs: number
  /** The core login throttle's limits, for password grants and API-key secrets. */
  login: LoginThrottleLimits
  callsPerMin: number
}

/** Who a request acts as. A key acts with its own role, for the user who created it. */
export interface Principal {
  kind: 'user' | 'key'
  user: UserRow
  key?: ApiKeyRow
  role: Role
  accountId: string
  accountVerified: boolean
}

/** A key's last use is written at most hourly: not a store write per request. */
const TOUCH_EVERY_MS = 3_600_000

export function tokenService(ctx: PluginContext, opts: SmtpdOptions) {
  const jwt = createHs256(`${ctx.secret}:smtpd`, { clock: ctx.clock, issuer: opts.issuer })
  const db = ctx.storage
  const now = () => ctx.clock.now()

  const keyActive = (k: ApiKeyRow) =>
    k.is_active && (k.last_accessed_at ?? k.created_at) + opts.keyIdleMs > now()

  async function touch(k: ApiKeyRow) {
    if (now() - (k.last_accessed_at ?? 0) < TOUCH_EVERY_MS) return
    await db.updateOne({
      model: API_KEY,
      where: { field: 'id', value: k.id },
      set: { last_accessed_at: now() },
    })
  }

  const findUser = (id: string) => db.findOne<UserRow>({ model: USER, where: { field: 'id', value: id } })
  const findAccount = (id: string) =>
    db.findOne<AccountRow>({ model: ACCOUNT, where: { field: 'id', value: id } })

  async function keyPrincipal(k: ApiKeyRow | null): Promise<Principal | null> {
    if (!k || !keyActive(k)) return null
    const [user, account] = await Promise.all([findUser(k.created_by), findAccount(k.account_id)])
    if (!user || !account) return null
    await touch(k)
    return {
      kind: 'key',
      user,
      key: k,
      role: k.role,
      accountId: k.account_id,
      accountVerified: account.is_verified,
    }
  }

  async function userPrincipal(u: UserRow | null): Promise<Principal | null> {
    if (!u) return null
    const account = await findAccount(u.account_id)
    if (!account) return null
    return {
      kind: 'user',
      user: u,
      role: u.role,
      accountId: u.account_id,
      accountVerified: account.is_verified,
    }
  }

  async function accessToken(p: Principal) {
    const subject = p.kind === 'key' ? p.key!.key : p.user.email_address
    const { token, exp } = await jwt.sign(
      {
        account_id: p.accountId,
        id: p.user.id,
        is_account_verified: p.accountVerified,
        iss: opts.issuer,
        name: '',
        scope: [roleId(p.role)],
        sub: subject,
        subject,
        ...(p.key ? { key_id: p.key.id } : {}),
      },
      { expiresInS: opts.accessTtlS },
    )
    return { token, exp }
  }

  async function tokenResponse(p: Principal, refreshToken: string) {
    const { token, exp } = await accessToken(p)
    return {
      token_type: 'bearer',
      access_token: token,
      expires_at: exp * 1000,
      Scope: [p.role],
      refresh_token: refreshToken,
    }
  }

  const principalId = (p: Principal) => (p.kind === 'key' ? p.key!.id : p.user.id)

  // Only failed grants count (per e-mail or key and address, per address). No credential cache: a
  // grant is rare, and each one is checked afresh.
  const passwords = passwordAuth(ctx, {
    plugin: 'smtpd',
    limits: opts.login,
    cache: false,
    denied: () => errors.BAD_CREDENTIALS(),
    refused: loginThrottled,
  })

  /**
   * e-mail + password, or API key + secret. Every failure costs exactly one slow hash, whatever
   * failed (unknown name, wrong password, wrong key secret): status, body and time do not say
   * which names exist. A right key secret is a fast SHA-256 check (the caller already knows it).
   */
  async function checkCredentials(username: string, password: string): Promise<Principal | null> {
    const user = await db.findOne<UserRow>({
      model: USER,
      where: { field: 'email_address', value: username.trim().toLowerCase() },
    })
    if (user)
      return (await passwords.verify(user.id, password, user.password_hash)) ? userPrincipal(user) : null
    const key = await db.findOne<ApiKeyRow>({ model: API_KEY, where: { field: 'key', value: username } })
    const ok = safeEqual(sha256Hex(password), key?.secret_hash ?? '')
    const p = ok ? await keyPrincipal(key) : null
    // Unknown key or wrong secret: the same cost as a wrong user password.
    if (!p) await passwords.verify(username, password, null)
    return p
  }

  return {
    keyActive,

    /** The password grant's check, under the login throttle: the principal, or BAD_CREDENTIALS / 42901. */
    async logIn(username: string, password: string, address: string): Promise<Principal> {
      if (!username) throw passwords.failure()
      return passwords.attempt(username, address, () => checkCredentials(username, password))
    },

    /**
     * A password grant: the principal's earlier refresh token dies, the new one lives 30 days. The
     * grant replaces the principal's single row in one statement, so concurrent grants (on any
     * instances) leave exactly one refresh token alive: the last one written.
     */
    async grant(p: Principal) {
      const refresh = randomBytes(96).toString('base64url') // 128 characters
      const set = {
        token_hash: sha256Hex(refresh),
        principal_kind: p.kind,
        created_at: now(),
        expires_at: now() + opts.refreshTtlMs,
      }
      await upsertOne(db, { model: REFRESH, key: { field: 'principal_id', value: principalId(p) }, set })
      return tokenResponse(p, refresh)
    },

    /** A refresh grant: a new access token and the same refresh token (the seed shows no rotation). */
    async refresh(refreshToken: string) {
      const r = await db.findOne<RefreshRow>({
        model: REFRESH,
        where: { field: 'token_hash', value: sha256Hex(refreshToken) },
      })
      if (!r || r.expires_at <= now()) throw errors.BAD_REFRESH()
      const p =
        r.principal_kind === 'key'
          ? await keyPrincipal(
              await db.findOne<ApiKeyRow>({ model: API_KEY, where: { field: 'id', value: r.principal_id } }),
            )
          : await userPrincipal(await findUser(r.principal_id))
      if (!p) throw errors.BAD_REFRESH()
      return tokenResponse(p, refreshToken)
    },

    /** Kill one refresh token of the caller (401 40106 when it is not one of theirs). */
    async revoke(p: Principal, refreshToken: string) {
      const gone = await db.deleteOne({
        model: REFRESH,
        where: {
          and: [
            { field: 'token_hash', value: sha256Hex(refreshToken) },
            { field: 'principal_id', value: principalId(p) },
          ],
        },
      })
      if (!gone) throw errors.BAD_REFRESH({ status: 401 })
    },

    /** A bearer JWT: its claims and principal; 401 40103 when expired, 40101 otherwise. */
    async fromJwt(token: string) {
      const r = await jwt.check(token)
      if ('error' in r) throw errors[r.error === 'expired' ? 'TOKEN_EXPIRED' : 'BAD_TOKEN']()
      const claims = r.claims
      const user = await findUser(String(claims.id))
      if (!user) throw errors.BAD_TOKEN()
      let key: ApiKeyRow | undefined
      if (typeof claims.key_id === 'string') {
        const k = await db.findOne<ApiKeyRow>({
          model: API_KEY,
          where: { field: 'id', value: claims.key_id },
        })
        if (!k || !keyActive(k)) throw errors.BAD_TOKEN()
        await touch(k)
        key = k
      }
      const principal: Principal = {
        kind: key ? 'key' : 'user',
        user,
        ...(key ? { key } : {}),
        role: key ? key.role : user.role,
        accountId: String(claims.account_id),
        accountVerified: claims.is_account_verified === true,
      }
      return { claims, principal }
    },

    /** An API key's secret used directly (Basic username or Bearer), on /api/v1 routes; null: none. */
    async fromSecret(secret: string): Promise<Principal | null> {
      const k = await db.findOne<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'secret_hash', value: sha256Hex(secret) },
      })
      return keyPrincipal(k)
    },

    /** Live refresh grants of a key (for `…/api_key/:id/sessions`). */
    async sessionsOf(principalIdValue: string) {
      const rows = await db.findMany<RefreshRow>({
        model: REFRESH,
        where: {
          and: [
            { field: 'principal_id', value: principalIdValue },
            { field: 'expires_at', op: 'gt', value: now() },
          ],
        },
        sort: [{ field: 'created_at' }],
      })
      return rows.map((r) => ({
        id: r.id,
        created_at_utc: Math.floor(r.created_at / 1000),
        expires_at_utc: Math.floor(r.expires_at / 1000),
      }))
    },

    /** Every refresh grant of a principal dies (key revoked, user removed). */
    async dropGrants(principalIdValue: string) {
      await db.deleteMany({ model: REFRESH, where: { field: 'principal_id', value: principalIdValue } })
    },
  }
}

export type Tokens = ReturnType<typeof tokenService>
