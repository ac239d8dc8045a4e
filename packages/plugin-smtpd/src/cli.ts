import { type CommandDef, randomSecret } from '@mailfront/core'
import { createAccount, createApiKey, createUser } from './accounts.ts'
import { FREE_PLAN, PLANS, planById } from './plans.ts'
import { KEY_ROLES, ROLES, type Role } from './roles.ts'
import { ACCOUNT, type AccountRow, API_KEY, type ApiKeyRow, USER, type UserRow } from './store.ts'

export async function account(ctx: Parameters<CommandDef['run']>[0], nameOrId: string): Promise<AccountRow> {
  const by = (field: string) =>
    ctx.storage.findOne<AccountRow>({ model: ACCOUNT, where: { field, value: nameOrId } })
  const a = (await by('account_name')) ?? (/^[0-9a-f-]{36}$/.test(nameOrId) ? await by('id') : null)
  if (!a) throw new Error(`no SMTPD account "${nameOrId}"`)
  return a
}

const oneOf = <T extends string>(what: string, v: unknown, all: readonly T[]): T => {
  if (!all.includes(v as T)) throw new Error(`${what} must be one of ${all.join(', ')}, got "${String(v)}"`)
  return v as T
}

export const commands: CommandDef[] = [
  {
    path: ['smtpd', 'account', 'create'],
    description: 'Create an account with its owner (prints a generated password when none is given)',
    args: [
      { name: 'name', description: 'account name' },
      { name: 'email', description: "the owner's e-mail address" },
    ],
    options: [
      { flag: '--password <password>', description: "the owner's password" },
      { flag: '--first-name <name>', description: 'first name', default: '' },
      { flag: '--surname <name>', description: 'surname', default: '' },
      {
        flag: '--plan <id>',
        description: `plan id (${PLANS.map((p) => `${p.name} ${p.plan_id}`).join(', ')})`,
        default: FREE_PLAN,
      },
      { flag: '--verified', description: 'mark the account verified now' },
    ],
    async run(ctx, [name, email], o) {
      if (!planById(String(o.plan))) throw new Error(`--plan "${o.plan}" is not a known plan id`)
      const password = (o.password as string | undefined) ?? randomSecret(18)
      const a = await createAccount(ctx, {
        account_name: name!,
        plan_id: String(o.plan),
        is_verified: !!o.verified,
      })
      const u = await createUser(ctx, {
        account_id: a.id,
        email_address: email!,
        password,
        first_name: String(o.firstName),
        surname: String(o.surname),
        role: 'owner',
        is_verified: true,
      })
      return {
        account_id: a.id,
        account_name: a.account_name,
        is_verified: a.is_verified,
        owner: u.email_address,
        password: o.password ? 'set' : password,
      }
    },
  },
  {
    path: ['smtpd', 'account', 'verify'],
    description: 'Mark an account verified (what SMTPD does by hand after signup)',
    args: [{ name: 'account', description: 'account name or id' }],
    async run(ctx, [nameOrId]) {
      const a = await account(ctx, nameOrId!)
      await ctx.storage.updateOne({
        model: ACCOUNT,
        where: { field: 'id', value: a.id },
        set: { is_verified: true, modified_at: ctx.clock.now() },
      })
      return { account_id: a.id, account_name: a.account_name, is_verified: true }
    },
  },
  {
    path: ['smtpd', 'account', 'list'],
    description: 'List accounts',
    async run(ctx) {
      const rows = await ctx.storage.findMany<AccountRow>({
        model: ACCOUNT,
        sort: [{ field: 'account_name' }],
      })
      return rows.map((a) => ({
        account_id: a.id,
        account_name: a.account_name,
        plan: planById(a.plan_id)?.name ?? a.plan_id,
        is_verified: a.is_verified,
      }))
    },
  },
  {
    path: ['smtpd', 'user', 'add'],
    description: 'Add a user to an account (prints a generated password when none is given)',
    args: [
      { name: 'account', description: 'account name or id' },
      { name: 'email', description: 'e-mail address' },
    ],
    options: [
      { flag: '--role <role>', description: ROLES.join(', '), default: 'standard' },
      { flag: '--password <password>', description: 'password' },
    ],
    async run(ctx, [nameOrId, email], o) {
      const a = await account(ctx, nameOrId!)
      const password = (o.password as string | undefined) ?? randomSecret(18)
      const u = await createUser(ctx, {
        account_id: a.id,
        email_address: email!,
        password,
        role: oneOf<Role>('--role', o.role, ROLES),
        is_verified: true,
      })
      return {
        user_id: u.id,
        email_address: u.email_address,
        role: u.role,
        password: o.password ? 'set' : password,
      }
    },
  },
  {
    path: ['smtpd', 'key', 'create'],
    description: 'Create an API key (prints its secret, once)',
    args: [{ name: 'account', description: 'account name or id' }],
    options: [
      { flag: '--role <role>', description: KEY_ROLES.join(', '), default: 'standard' },
      { flag: '--name <name>', description: 'a label', default: 'cli' },
      { flag: '--user <email>', description: 'the user it acts for (default: the owner)' },
    ],
    async run(ctx, [nameOrId], o) {
      const a = await account(ctx, nameOrId!)
      const users = await ctx.storage.findMany<UserRow>({
        model: USER,
        where: { field: 'account_id', value: a.id },
      })
      const user = o.user
        ? users.find((u) => u.email_address === String(o.user).toLowerCase())
        : (users.find((u) => u.role === 'owner') ?? users[0])
      if (!user)
        throw new Error(
          o.user ? `no user ${o.user} in ${a.account_name}` : `account ${a.account_name} has no user`,
        )
      const { row, secret } = await createApiKey(ctx, {
        account_id: a.id,
        created_by: user.id,
        name: String(o.name),
        role: oneOf<Role>('--role', o.role, KEY_ROLES),
      })
      return { ID: row.id, Name: row.name, Key: row.key, Secret: secret, role: row.role }
    },
  },
  {
    path: ['smtpd', 'key', 'list'],
    description: 'List the API keys of an account (never their secrets)',
    args: [{ name: 'account', description: 'account name or id' }],
    async run(ctx, [nameOrId]) {
      const a = await account(ctx, nameOrId!)
      const rows = await ctx.storage.findMany<ApiKeyRow>({
        model: API_KEY,
        where: { field: 'account_id', value: a.id },
        sort: [{ field: 'created_at' }],
      })
      return rows.map((k) => ({ id: k.id, key: k.key, name: k.name, role: k.role, is_active: k.is_active }))
    },
  },
]
