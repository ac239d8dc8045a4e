import { hashPassword, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { createNamed, requireAccount } from '../scope.ts'
import { DOMAIN, type DomainRow, MAILING_LIST, type MailingListRow } from '../store.ts'
import { newPassword } from './account.ts'

const listName = z.string().min(1).max(128)
const view = (l: MailingListRow) => ({ mailinglist: l.name, account: l.account, adminmail: l.adminmail })
const listObject = z.object({ mailinglist: z.string(), account: z.string(), adminmail: z.string() })

async function requireList(call: Call, account: string, name: string): Promise<MailingListRow> {
  const a = await requireAccount(call, account)
  const l = await call.ctx.storage.findOne<MailingListRow>({
    model: MAILING_LIST,
    where: { field: 'name', value: name.trim().toLowerCase() },
  })
  if (!l || l.account !== a.account) throw errors.MAILING_LIST_NOT_FOUND()
  return l
}

export const listMethods = [
  defineMethod({
    name: 'mailinglist.list',
    summary: 'The mailing lists of an account',
    access: ['account'],
    params: z.object({ account: z.string().min(1) }),
    result: z.array(listObject),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account }, call) {
      const a = await requireAccount(call, account)
      const rows = await call.ctx.storage.findMany<MailingListRow>({
        model: MAILING_LIST,
        where: { field: 'account', value: a.account },
        sort: [{ field: 'name' }],
      })
      return rows.map(view)
    },
  }),
  defineMethod({
    name: 'mailinglist.get',
    summary: 'A mailing list',
    access: ['account'],
    params: z.object({ mailinglist: listName, account: z.string().min(1) }),
    result: listObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAILING_LIST_NOT_FOUND'],
    handler: async ({ mailinglist, account }, call) => view(await requireList(call, account, mailinglist)),
  }),
  defineMethod({
    name: 'mailinglist.add',
    summary: 'Create a mailing list',
    access: ['account'],
    params: z.object({
      mailinglist: listName,
      password: newPassword,
      account: z.string().min(1),
      adminmail: z.string().email().optional(),
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAILING_LIST_EXISTS'],
    async handler(p, call) {
      const a = await requireAccount(call, p.account)
      await createNamed(
        call,
        MAILING_LIST,
        {
          name: p.mailinglist.trim().toLowerCase(),
          account: a.account,
          password_hash: await hashPassword(p.password),
          adminmail: p.adminmail ?? '',
        },
        'MAILING_LIST_EXISTS',
      )
      return true as const
    },
  }),
  defineMethod({
    name: 'mailinglist.set',
    summary: 'Change the password or admin address of a mailing list',
    access: ['account'],
    params: z.object({
      mailinglist: listName,
      account: z.string().min(1),
      password: newPassword.optional(),
      adminmail: z.string().email().optional(),
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAILING_LIST_NOT_FOUND'],
    async handler(p, call) {
      const l = await requireList(call, p.account, p.mailinglist)
      const set: Record<string, unknown> = {}
      if (p.password) set.password_hash = await hashPassword(p.password)
      if (p.adminmail !== undefined) set.adminmail = p.adminmail
      if (Object.keys(set).length)
        await call.ctx.storage.updateOne({ model: MAILING_LIST, where: { field: 'id', value: l.id }, set })
      return true as const
    },
  }),
  defineMethod({
    name: 'mailinglist.del',
    summary: 'Delete a mailing list',
    access: ['account'],
    aliases: ['mailinglist.delete'],
    params: z.object({ mailinglist: listName, account: z.string().min(1) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAILING_LIST_NOT_FOUND'],
    async handler({ mailinglist, account }, call) {
      const l = await requireList(call, account, mailinglist)
      await call.ctx.storage.deleteOne({ model: MAILING_LIST, where: { field: 'id', value: l.id } })
      return true as const
    },
  }),
  defineMethod({
    name: 'context.list',
    summary: 'The OX contexts of an account and their domains (`""` for domains without one)',
    access: ['reseller', 'account'],
    params: z.object({ account: z.string().min(1) }),
    result: z.record(z.string(), z.array(z.string())),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account }, call) {
      const a = await requireAccount(call, account)
      const domains = await call.ctx.storage.findMany<DomainRow>({
        model: DOMAIN,
        where: { field: 'account', value: a.account },
        sort: [{ field: 'domain' }],
      })
      const out: Record<string, string[]> = {}
      for (const d of domains) {
        out[d.context_id] ??= []
        out[d.context_id]!.push(d.domain)
      }
      return out
    },
  }),
]
