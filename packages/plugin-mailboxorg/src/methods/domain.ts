import { randomInt } from 'node:crypto'
import { hashPassword, z } from '@mailfront/core'
import { deleteDomainResources, deleteMailResources } from '../cascade.ts'
import { errors } from '../errors.ts'
import { nameTakenByOtherKind } from '../login-names.ts'
import { type Call, defineMethod } from '../method.ts'
import { DOMAIN_CAPABILITIES, domainObject, domainView } from '../objects.ts'
import { createNamed, requireAccount, requireDomain } from '../scope.ts'
import { APP_PASSWORD, DOMAIN, type DomainRow, MAIL, SESSION } from '../store.ts'
import { newPassword } from './account.ts'

const domainName = z
  .string()
  .regex(
    /^(?=.{4,253}$)((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z]{2,63}$/,
    'must be a domain name, e.g. example.com',
  )
const contextFields = {
  context_id: z
    .string()
    .regex(/^\d{1,10}$/)
    .optional(),
  create_new_context_id: z.boolean().optional(),
  memo: z.string().max(1000).optional(),
}

const countMails = (call: Call, domain: string) =>
  call.ctx.storage.count({ model: MAIL, where: { field: 'domain', value: domain } })

const contextOf = (p: { context_id?: string; create_new_context_id?: boolean }) =>
  p.create_new_context_id ? String(randomInt(1_000_000, 10_000_000)) : p.context_id

export const domainMethods = [
  defineMethod({
    name: 'domain.list',
    summary: 'The domains of an account, with their number of mail addresses',
    access: ['reseller', 'account'],
    params: z.object({ account: z.string().min(1), filter: z.string().optional() }),
    result: z.array(z.object({ domain: z.string(), count_mails: z.number().int() })),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND'],
    async handler({ account, filter }, call) {
      const a = await requireAccount(call, account)
      const byAccount = { field: 'account', value: a.account }
      const rows = await call.ctx.storage.findMany<DomainRow>({
        model: DOMAIN,
        where: filter
          ? { and: [byAccount, { field: 'domain', op: 'contains', value: filter, ci: true }] }
          : byAccount,
        sort: [{ field: 'domain' }],
      })
      return Promise.all(
        rows.map(async (d) => ({ domain: d.domain, count_mails: await countMails(call, d.domain) })),
      )
    },
  }),
  defineMethod({
    name: 'domain.add',
    summary: 'Add a domain to an account; its password lets a domain-level session log in',
    access: ['reseller', 'account'],
    params: z.object({
      account: z.string().min(1),
      domain: domainName,
      password: newPassword,
      ...contextFields,
    }),
    result: domainObject,
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'DOMAIN_EXISTS'],
    async handler(p, call) {
      const a = await requireAccount(call, p.account)
      if (await nameTakenByOtherKind(call.ctx.storage, p.domain, 'domain')) throw errors.DOMAIN_EXISTS()
      const d = await createNamed<DomainRow>(
        call,
        DOMAIN,
        {
          domain: p.domain.toLowerCase(),
          account: a.account,
          password_hash: await hashPassword(p.password),
          context_id: contextOf(p) ?? '',
          memo: p.memo ?? '',
        },
        'DOMAIN_EXISTS',
      )
      return domainView(d, 0)
    },
  }),
  defineMethod({
    name: 'domain.get',
    summary: 'A domain',
    access: ['reseller', 'account', 'domain'],
    params: z.object({ domain: z.string().min(1) }),
    result: domainObject,
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND'],
    async handler({ domain }, call) {
      const d = await requireDomain(call, domain)
      return domainView(d, await countMails(call, d.domain))
    },
  }),
  defineMethod({
    name: 'domain.set',
    summary: 'Change a domain (password, context, memo); returns it',
    access: ['reseller', 'account', 'domain'],
    params: z.object({ domain: z.string().min(1), password: newPassword.optional(), ...contextFields }),
    result: domainObject,
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND'],
    async handler(p, call) {
      const d = await requireDomain(call, p.domain)
      const set: Record<string, unknown> = {}
      const ctxId = contextOf(p)
      if (ctxId !== undefined) set.context_id = ctxId
      if (p.memo !== undefined) set.memo = p.memo
      if (p.password) set.password_hash = await hashPassword(p.password)
      const row = Object.keys(set).length
        ? await call.ctx.storage.updateOne<DomainRow>({
            model: DOMAIN,
            where: { field: 'id', value: d.id },
            set,
          })
        : d
      if (!row) throw errors.DOMAIN_NOT_FOUND()
      return domainView(row, await countMails(call, row.domain))
    },
  }),
  defineMethod({
    name: 'domain.del',
    summary: 'Delete a domain with its mail addresses',
    access: ['reseller', 'account'],
    aliases: ['domain.delete'],
    params: z.object({ account: z.string().min(1), domain: z.string().min(1) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'ACCOUNT_NOT_FOUND', 'DOMAIN_NOT_FOUND'],
    async handler({ account, domain }, call) {
      const a = await requireAccount(call, account)
      const d = await requireDomain(call, domain)
      if (d.account !== a.account) throw errors.DOMAIN_NOT_FOUND()
      await call.ctx.storage.transaction(async (tx) => {
        const mails = await tx.findMany<{ id: string; mail: string }>({
          model: MAIL,
          where: { field: 'domain', value: d.domain },
        })
        const principals = [d.domain, ...mails.map((m) => m.mail)]
        await tx.deleteMany({ model: SESSION, where: { field: 'principal', op: 'in', value: principals } })
        await tx.deleteMany({
          model: APP_PASSWORD,
          where: { field: 'mail', op: 'in', value: mails.map((m) => m.mail) },
        })
        await deleteMailResources(
          tx,
          d.account,
          mails.map((m) => m.mail),
        )
        await deleteDomainResources(tx, [d.domain])
        await tx.deleteMany({ model: MAIL, where: { field: 'domain', value: d.domain } })
        await tx.deleteOne({ model: DOMAIN, where: { field: 'id', value: d.id } })
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'domain.capabilities.set',
    summary: 'Set the capabilities of a domain and of every mail address in it (an empty list clears)',
    access: ['reseller', 'account', 'domain'],
    params: z.object({ domain: z.string().min(1), capabilities: z.array(z.enum(DOMAIN_CAPABILITIES)) }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'DOMAIN_NOT_FOUND'],
    async handler({ domain, capabilities }, call) {
      const d = await requireDomain(call, domain)
      const caps = [...new Set(capabilities)]
      await call.ctx.storage.transaction(async (tx) => {
        await tx.updateOne({
          model: DOMAIN,
          where: { field: 'id', value: d.id },
          set: { capabilities: caps },
        })
        await tx.updateMany({
          model: MAIL,
          where: { field: 'domain', value: d.domain },
          set: { capabilities: caps },
        })
      })
      return true as const
    },
  }),
]
