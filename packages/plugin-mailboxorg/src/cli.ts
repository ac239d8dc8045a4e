import { type CommandDef, hashPassword, randomSecret, UniqueViolationError } from '@mailfront/core'
import { nameTakenByOtherKind } from './login-names.ts'
import { ACCOUNT_PLANS } from './objects.ts'
import type { MailboxorgContext } from './setup.ts'
import { ACCOUNT, type AccountRow, OPERATOR, type OperatorRow } from './store.ts'

const password = (given: string | undefined) => given ?? randomSecret(18)
const shown = (given: string | undefined, pw: string) => (given ? 'set' : pw)

export const commands: CommandDef<MailboxorgContext>[] = [
  {
    path: ['mailboxorg', 'operator', 'add'],
    description:
      'Create (or reset) an admin or reseller login (prints a generated password when none is given)',
    args: [
      { name: 'name', description: 'login name' },
      { name: 'level', description: 'admin or reseller' },
      { name: 'password', description: 'password', optional: true },
    ],
    async run(ctx, [name, level, given]) {
      if (level !== 'admin' && level !== 'reseller')
        throw new Error(`level must be admin or reseller, got "${level}"`)
      const n = name!.trim().toLowerCase()
      if (await nameTakenByOtherKind(ctx.storage, n, 'operator'))
        throw new Error(`"${n}" is already the login of an account, a domain or a mailbox`)
      const pw = password(given)
      const data = { password_hash: await hashPassword(pw), level }
      const where = { field: 'name', value: n }
      if (!(await ctx.storage.updateOne({ model: OPERATOR, where, set: data })))
        await ctx.storage.create({ model: OPERATOR, data: { name: n, ...data } })
      return { name: n, level, password: shown(given, pw) }
    },
  },
  {
    path: ['mailboxorg', 'operator', 'list'],
    description: 'List admin and reseller logins',
    async run(ctx) {
      const rows = await ctx.storage.findMany<OperatorRow>({ model: OPERATOR, sort: [{ field: 'name' }] })
      return rows.map((o) => ({ name: o.name, level: o.level }))
    },
  },
  {
    path: ['mailboxorg', 'account', 'add'],
    description: 'Create a business account (level account); prints a generated password when none is given',
    args: [{ name: 'account', description: 'account name' }],
    options: [
      { flag: '--plan <plan>', description: ACCOUNT_PLANS.join(', '), default: 'basic' },
      { flag: '--password <password>', description: 'password' },
      { flag: '--reseller <name>', description: 'the reseller that administers it' },
    ],
    async run(ctx, [account], o) {
      if (!ACCOUNT_PLANS.includes(o.plan as never))
        throw new Error(`--plan must be one of ${ACCOUNT_PLANS.join(', ')}`)
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/.test(account!))
        throw new Error(`"${account}" is not a valid account name`)
      if (await nameTakenByOtherKind(ctx.storage, account!, 'account'))
        throw new Error(`"${account}" is already the login of an operator, a domain or a mailbox`)
      const pw = password(o.password as string | undefined)
      try {
        const row = await ctx.storage.create<AccountRow>({
          model: ACCOUNT,
          data: {
            account: account!.toLowerCase(),
            password_hash: await hashPassword(pw),
            plan: o.plan,
            reseller: o.reseller ? String(o.reseller).toLowerCase() : null,
            created_at: ctx.clock.now(),
          },
        })
        return {
          account: row.account,
          level: 'account',
          plan: row.plan,
          password: shown(o.password as string, pw),
        }
      } catch (e) {
        if (e instanceof UniqueViolationError) throw new Error(`account "${account}" already exists`)
        throw e
      }
    },
  },
  {
    path: ['mailboxorg', 'account', 'list'],
    description: 'List business accounts',
    async run(ctx) {
      const rows = await ctx.storage.findMany<AccountRow>({ model: ACCOUNT, sort: [{ field: 'account' }] })
      return rows.map((a) => ({
        account: a.account,
        level: 'account',
        plan: a.plan,
        reseller: a.reseller,
        status: a.status,
      }))
    },
  },
  {
    path: ['mailboxorg', 'session', 'purge'],
    description: 'Delete expired sessions now (the server does it every 10 minutes)',
    async run(ctx) {
      return { purged: await ctx.state.sessions.purge() }
    },
  },
]
