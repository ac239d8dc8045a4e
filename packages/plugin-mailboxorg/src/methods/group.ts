import { z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { createNamed, requireAccount } from '../scope.ts'
import { type AccountRow, MAIL, type MailRow } from '../store.ts'
import { GROUP, type GroupRow } from '../store-resources.ts'

// Groups of an account's mailboxes (OX groups). The Python client calls them at level account
// without `account`; a reseller or admin names the account.

const accountParam = { account: z.string().min(1).optional() }
const groupId = z.number().int().positive()
const addresses = z.array(z.string().email()).max(10_000)

export const groupObject = z.object({
  group_id: z.number().int(),
  name: z.string(),
  display_name: z.string(),
  mail_addresses: z.array(z.string()),
})
const view = (g: GroupRow): z.infer<typeof groupObject> => ({
  group_id: Number(g.id),
  name: g.name,
  display_name: g.display_name,
  mail_addresses: [...g.members].sort(),
})

async function accountOf(call: Call, account: string | undefined): Promise<AccountRow> {
  const s = call.session!
  const name = account ?? (s.level === 'account' ? s.principal : undefined)
  if (name === undefined) throw errors.ACCOUNT_REQUIRED()
  return requireAccount(call, name)
}

async function requireGroup(call: Call, account: string | undefined, id: number) {
  const a = await accountOf(call, account)
  const g = await call.ctx.storage.findOne<GroupRow>({ model: GROUP, where: { field: 'id', value: id } })
  if (!g || g.account !== a.account) throw errors.GROUP_NOT_FOUND()
  return g
}

/** The addresses, lower-cased; each must be a mailbox of the account. */
async function mailboxesOf(call: Call, a: AccountRow, list: string[]): Promise<string[]> {
  const wanted = [...new Set(list.map((m) => m.trim().toLowerCase()))]
  if (!wanted.length) return []
  const found = await call.ctx.storage.findMany<MailRow>({
    model: MAIL,
    where: {
      and: [
        { field: 'account', value: a.account },
        { field: 'mail', op: 'in', value: wanted },
      ],
    },
  })
  const known = new Set(found.map((m) => m.mail))
  const missing = wanted.find((m) => !known.has(m))
  if (missing) throw errors.MAIL_NOT_FOUND({ details: { data: { mail: missing } } })
  return wanted
}

export const groupMethods = [
  defineMethod({
    name: 'group.list',
    summary: 'The groups of an account',
    access: ['reseller', 'account'],
    params: z.object(accountParam),
    result: z.array(groupObject),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_REQUIRED'],
    async handler({ account }, call) {
      const a = await accountOf(call, account)
      const rows = await call.ctx.storage.findMany<GroupRow>({
        model: GROUP,
        where: { field: 'account', value: a.account },
        sort: [{ field: 'name' }],
      })
      return rows.map(view)
    },
  }),
  defineMethod({
    name: 'group.get',
    summary: 'A group',
    access: ['reseller', 'account'],
    params: z.object({ group_id: groupId, ...accountParam }),
    result: groupObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'GROUP_NOT_FOUND'],
    handler: async ({ group_id, account }, call) => view(await requireGroup(call, account, group_id)),
  }),
  defineMethod({
    name: 'group.add',
    summary: 'Create a group of mailboxes of the account',
    access: ['reseller', 'account'],
    params: z.object({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ -; 1 to 64'),
      display_name: z.string().min(1).max(128),
      mail_addresses_to_add: addresses,
      ...accountParam,
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'MAIL_NOT_FOUND', 'GROUP_EXISTS'],
    async handler(p, call) {
      const a = await accountOf(call, p.account)
      const members = await mailboxesOf(call, a, p.mail_addresses_to_add)
      await createNamed(
        call,
        GROUP,
        { account: a.account, name: p.name.toLowerCase(), display_name: p.display_name, members },
        'GROUP_EXISTS',
      )
      return true as const
    },
  }),
  defineMethod({
    name: 'group.set',
    summary: 'Rename a group and add or remove members',
    access: ['reseller', 'account'],
    params: z.object({
      group_id: groupId,
      display_name: z.string().min(1).max(128),
      mail_addresses_to_add: addresses.nullish(),
      mail_addresses_to_remove: addresses.nullish(),
      ...accountParam,
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'GROUP_NOT_FOUND', 'MAIL_NOT_FOUND'],
    async handler(p, call) {
      const g = await requireGroup(call, p.account, p.group_id)
      const a = await accountOf(call, p.account)
      const add = await mailboxesOf(call, a, p.mail_addresses_to_add ?? [])
      const remove = new Set((p.mail_addresses_to_remove ?? []).map((m) => m.trim().toLowerCase()))
      const members = [...new Set([...g.members, ...add])].filter((m) => !remove.has(m))
      await call.ctx.storage.updateOne({
        model: GROUP,
        where: { field: 'id', value: g.id },
        set: { display_name: p.display_name, members },
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'group.del',
    summary: 'Delete a group',
    access: ['reseller', 'account'],
    aliases: ['group.delete'],
    params: z.object({ group_id: groupId, ...accountParam }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'GROUP_NOT_FOUND'],
    async handler({ group_id, account }, call) {
      const g = await requireGroup(call, account, group_id)
      await call.ctx.storage.deleteOne({ model: GROUP, where: { field: 'id', value: g.id } })
      return true as const
    },
  }),
]
