import { hashPassword, z } from '@mailfront/core'
import { deleteAccountResources, deleteDomainResources, deleteMailResources } from '../cascade.ts'
import { errors } from '../errors.ts'
import { nameTakenByOtherKind } from '../login-names.ts'
import { type Call, defineMethod } from '../method.ts'
import { ACCOUNT_FIELDS, ACCOUNT_PLANS, accountObject, accountView, optionalAll } from '../objects.ts'
import { accountInScope, createNamed, requireAccount } from '../scope.ts'
import { ACCOUNT, type AccountRow, APP_PASSWORD, DOMAIN, MAIL, MAILING_LIST, SESSION } from '../store.ts'

export const accountName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, 'letters, digits, . _ -; 3 to 64')
export const newPassword = z.string().min(6).max(128)

const optional = optionalAll(ACCOUNT_FIELDS)
const splitAttrs = (p: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(p).filter(([k, v]) => k in ACCOUNT_FIELDS && k !== 'memo' && v !== undefined),
  )

/** Remove everything below an account: its mailboxes, domains and the sessions of all of them. */
export async function deleteAccountTree(call: Call, a: AccountRow) {
  await call.ctx.storage.transaction(async (tx) => {
    const where = { field: 'account', value: a.account }
    const mails = await tx.findMany<{ id: string; mail: string }>({ model: MAIL, where })
    const domains = await tx.findMany<{ id: string; domain: string }>({ model: DOMAIN, where })
    const principals = [a.account, ...domains.map((d) => d.domain), ...mails.map((m) => m.mail)]
    await tx.deleteMany({ model: SESSION, where: { field: 'principal', op: 'in', value: principals } })
    await tx.deleteMany({
      model: APP_PASSWORD,
      where: { field: 'mail', op: 'in', value: mails.map((m) => m.mail) },
    })
    await deleteMailResources(
      tx,
      a.account,
      mails.map((m) => m.mail),
    )
    await deleteDomainResources(
      tx,
      domains.map((d) => d.domain),
    )
    await deleteAccountResources(tx, a.account)
    await tx.deleteMany({ model: MAILING_LIST, where })
    await tx.deleteMany({ model: MAIL, where })
    await tx.deleteMany({ model: DOMAIN, where })
    await tx.deleteOne({ model: ACCOUNT, where: { field: 'id', value: a.id } })
  })
}

export const accountMethods = [
  defineMethod({
    name: 'account.add',
    summary: 'Create a business account (the reseller who creates it can administer it)',
    access: ['reseller'],
    params: z.object({
      account: accountName,
      password: newPassword,
      plan: z.enum(ACCOUNT_PLANS),
      ...optional,
    }),
    result: accountObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_EXISTS'],
    async handler(p, call) {
      const s = call.session!
      if (await nameTakenByOtherKind(call.ctx.storage, p.account, 'account')) throw errors.ACCOUNT_EXISTS()
      const row = await createNamed<AccountRow>(
        call,
        ACCOUNT,
        {
          account: p.account.toLowerCase(),
          password_hash: await hashPassword(p.password),
          plan: p.plan,
          reseller: s.level === 'reseller' ? s.principal : null,
          memo: (p.memo as string | undefined) ?? '',
          attrs: splitAttrs(p),
        },
        'ACCOUNT_EXISTS',
      )
      return accountView(row)
    },
  }),
  defineMethod({
    name: 'account.get',
    summary: 'An account',
    access: ['reseller', 'account'],
    params: z.object({ account: z.string().min(1) }),
    result: accountObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account }, call) {
      return accountView(await requireAccount(call, account))
    },
  }),
  defineMethod({
    name: 'account.set',
    summary: 'Change an account; returns it (an account may change its own, except its plan)',
    access: ['reseller', 'account'],
    params: z.object({
      account: z.string().min(1),
      password: newPassword.optional(),
      plan: z.enum(ACCOUNT_PLANS).optional(),
      ...optional,
    }),
    result: accountObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler(p, call) {
      const a = await requireAccount(call, p.account)
      if (p.plan !== undefined && p.plan !== a.plan && call.session!.level === 'account')
        throw errors.ACCESS_DENIED()
      const set: Record<string, unknown> = { attrs: { ...a.attrs, ...splitAttrs(p) } }
      if (p.plan) set.plan = p.plan
      if (p.memo !== undefined) set.memo = p.memo
      if (p.password) set.password_hash = await hashPassword(p.password)
      const row = await call.ctx.storage.updateOne<AccountRow>({
        model: ACCOUNT,
        where: { field: 'id', value: a.id },
        set,
      })
      if (!row) throw errors.ACCOUNT_NOT_FOUND()
      return accountView(row)
    },
  }),
  defineMethod({
    name: 'account.del',
    summary: 'Delete an account with all its domains and mail addresses',
    access: ['reseller'],
    aliases: ['account.delete'],
    params: z.object({ account: z.string().min(1) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account }, call) {
      await deleteAccountTree(call, await requireAccount(call, account))
      return true as const
    },
  }),
  defineMethod({
    name: 'account.list',
    summary: 'Accounts in scope (a reseller sees those it created)',
    access: ['reseller'],
    params: z.object({ query: z.string().optional(), extended_results: z.boolean().optional() }),
    result: z.array(accountObject),
    errors: ['ACCESS_DENIED'],
    async handler({ query }, call) {
      const rows = await call.ctx.storage.findMany<AccountRow>({
        model: ACCOUNT,
        ...(query ? { where: { field: 'account', op: 'contains', value: query, ci: true } } : {}),
        sort: [{ field: 'account' }],
      })
      const out = []
      for (const r of rows) if (await accountInScope(call, r)) out.push(accountView(r))
      return out
    },
  }),
]
