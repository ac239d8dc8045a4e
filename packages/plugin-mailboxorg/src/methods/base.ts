import { z } from '@mailfront/core'
import { loginsNamed } from '../login-names.ts'
import { type Call, defineMethod } from '../method.ts'
import { accountInScope, domainInScope, findAccount, mailInScope } from '../scope.ts'
import { ACCOUNT, type AccountRow, DOMAIN, type DomainRow, MAIL, type MailRow } from '../store.ts'

const none = z.object({})

/** The one login of that name; a name two kinds share (a store filled before that rule) is none. */
async function principalOf(call: Call, user: string) {
  const logins = await loginsNamed(call.ctx.storage, user)
  if (logins.length > 1)
    call.ctx.log.warn({ kinds: logins.map((l) => l.kind) }, 'mailbox.org login name held by several kinds')
  return logins.length === 1 ? logins[0]! : null
}

const VALIDATORS: Record<string, RegExp | ((v: string) => boolean)> = {
  hostname: /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i,
  domain: /^(?=.{4,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/i,
  mailhost: /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/i,
  mail: (v) => z.string().email().safeParse(v).success,
  account: /^[a-z0-9][a-z0-9._-]{2,63}$/i,
  user: /^[a-z0-9][a-z0-9._@-]{2,127}$/i,
  pass: (v) => v.length >= 8 && v.length <= 128,
  pass2: (v) => v.length >= 10 && v.length <= 128 && /[a-z]/.test(v) && /[A-Z]/.test(v) && /\d/.test(v),
  memo: (v) =>
    v.length <= 1000 && ![...v].some((ch) => ch < ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r'),
  contextid: /^\d{1,10}$/,
  name: /^[\p{L}][\p{L} .'-]{0,63}$/u,
}

export const baseMethods = [
  defineMethod({
    name: 'auth',
    summary: 'Log in: returns an Auth-ID to send as the HPLS-AUTH header, and the level',
    access: 'anonymous',
    params: z.object({ user: z.string().min(1).max(256), pass: z.string().max(1024) }),
    result: z.object({
      session: z.string(),
      level: z.enum(['admin', 'reseller', 'account', 'domain', 'mail']),
    }),
    errors: ['ACCESS_DENIED', 'TOO_MANY_FAILURES'],
    async handler({ user, pass }, call) {
      // Only failures count (per user and address, per address); an unknown user pays the same hash.
      const p = await call.passwords.attempt(user, call.ip, async () => {
        const found = await principalOf(call, user)
        return (await call.passwords.verify(user, pass, found?.hash)) && found ? found : null
      })
      return { session: await call.sessions.create(p.name, p.level), level: p.level }
    },
  }),
  defineMethod({
    name: 'deauth',
    summary: 'Log out: the Auth-ID is dead',
    access: 'session',
    params: none,
    result: z.literal(true),
    errors: ['INVALID_AUTH_ID'],
    async handler(_, call) {
      await call.sessions.end(call.token!)
      return true as const
    },
  }),
  defineMethod({
    name: 'hello.world',
    summary: 'Anonymous test command',
    access: 'anonymous',
    params: none,
    result: z.literal('Hello World!'),
    errors: [],
    handler: async () => 'Hello World!' as const,
  }),
  defineMethod({
    name: 'hello.innerworld',
    summary: 'Test command requiring a valid session',
    access: 'session',
    params: none,
    result: z.literal('Hello Inner-World!'),
    errors: ['INVALID_AUTH_ID'],
    handler: async () => 'Hello Inner-World!' as const,
  }),
  defineMethod({
    name: 'search',
    summary: 'Accounts, domains and addresses containing the query, within the session scope',
    access: 'session',
    params: z.object({
      query: z.string().min(1),
      get_account_summary: z.boolean().optional(),
      get_extended_mail_result: z.boolean().optional(),
    }),
    result: z.object({
      accounts: z.array(z.string()),
      domains: z.array(z.string()),
      emails: z.array(z.string()),
    }),
    errors: ['INVALID_AUTH_ID'],
    async handler({ query }, call) {
      const db = call.ctx.storage
      const like = (field: string) => ({ field, op: 'contains' as const, value: query, ci: true })
      const [accounts, domains, mails] = await Promise.all([
        db.findMany<AccountRow>({
          model: ACCOUNT,
          where: like('account'),
          sort: [{ field: 'account' }],
          limit: 1000,
        }),
        db.findMany<DomainRow>({
          model: DOMAIN,
          where: like('domain'),
          sort: [{ field: 'domain' }],
          limit: 1000,
        }),
        db.findMany<MailRow>({ model: MAIL, where: like('mail'), sort: [{ field: 'mail' }], limit: 1000 }),
      ])
      const keep = async <T>(rows: T[], ok: (r: T) => Promise<boolean>) => {
        const out: T[] = []
        for (const r of rows) if (await ok(r)) out.push(r)
        return out
      }
      return {
        accounts: (await keep(accounts, (a) => accountInScope(call, a))).map((a) => a.account),
        domains: (await keep(domains, (d) => domainInScope(call, d))).map((d) => d.domain),
        emails: (await keep(mails, (m) => mailInScope(call, m))).map((m) => m.mail),
      }
    },
  }),
  defineMethod({
    name: 'test.accountallowed',
    summary: 'Whether the current session may administer this account',
    access: 'session',
    params: z.object({ account: z.string().min(1) }),
    result: z.boolean(),
    errors: ['INVALID_AUTH_ID'],
    async handler({ account }, call) {
      const a = await findAccount(call, account)
      return !!a && (await accountInScope(call, a))
    },
  }),
  defineMethod({
    name: 'test.domainallowed',
    summary: 'Whether the current session may administer this domain',
    access: 'session',
    params: z.object({ domain: z.string().min(1) }),
    result: z.boolean(),
    errors: ['INVALID_AUTH_ID'],
    async handler({ domain }, call) {
      const d = await call.ctx.storage.findOne<DomainRow>({
        model: DOMAIN,
        where: { field: 'domain', value: domain.trim().toLowerCase() },
      })
      return !!d && (await domainInScope(call, d))
    },
  }),
  defineMethod({
    name: 'utils.validator',
    summary: 'Whether a value is valid for a field type (the rules are ours, see the README)',
    access: 'session',
    params: z.object({ value: z.string(), type: z.enum(Object.keys(VALIDATORS) as [string, ...string[]]) }),
    result: z.boolean(),
    errors: ['INVALID_AUTH_ID'],
    async handler({ value, type }) {
      const v = VALIDATORS[type]!
      return typeof v === 'function' ? v(value) : v.test(value)
    },
  }),
]
