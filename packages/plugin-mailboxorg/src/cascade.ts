import type { StorageAdapter } from '@mailfront/core'
import { VACATION_REPLY } from './store-delivery.ts'
import {
  ADDITIONAL_ACCOUNT,
  BACKUP_RESTORE,
  GROUP,
  type GroupRow,
  INVOICE,
  TOKEN,
  VIDEOCHAT,
} from './store-resources.ts'

// What hangs off mailboxes, domains and accounts goes with them (called inside their delete's
// transaction): rooms, linked accounts, restore requests, vacation replies, reset codes, group memberships,
// registration tokens, and an account's groups and invoices.

const among = (field: string, values: string[]) => ({ field, op: 'in' as const, value: values })

export async function deleteMailResources(tx: StorageAdapter, account: string, mails: string[]) {
  if (!mails.length) return
  await tx.deleteMany({ model: VIDEOCHAT, where: among('mail', mails) })
  await tx.deleteMany({ model: ADDITIONAL_ACCOUNT, where: among('parent_mail', mails) })
  await tx.deleteMany({ model: BACKUP_RESTORE, where: among('mail', mails) })
  await tx.deleteMany({ model: VACATION_REPLY, where: among('mail', mails) })
  await tx.deleteMany({
    model: TOKEN,
    where: { and: [{ field: 'kind', value: 'reset' }, among('subject', mails)] },
  })
  const gone = new Set(mails)
  const groups = await tx.findMany<GroupRow>({ model: GROUP, where: { field: 'account', value: account } })
  for (const g of groups)
    if (g.members.some((m) => gone.has(m)))
      await tx.updateOne({
        model: GROUP,
        where: { field: 'id', value: g.id },
        set: { members: g.members.filter((m) => !gone.has(m)) },
      })
}

export async function deleteDomainResources(tx: StorageAdapter, domains: string[]) {
  if (!domains.length) return
  await tx.deleteMany({
    model: TOKEN,
    where: { and: [{ field: 'kind', value: 'register' }, among('subject', domains)] },
  })
}

export async function deleteAccountResources(tx: StorageAdapter, account: string) {
  await tx.deleteMany({ model: GROUP, where: { field: 'account', value: account } })
  await tx.deleteMany({ model: INVOICE, where: { field: 'account', value: account } })
}
