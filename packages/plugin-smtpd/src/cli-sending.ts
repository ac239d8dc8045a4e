import type { CommandDef } from '@mailfront/core'
import { account } from './cli.ts'
import { PROFILE, type ProfileRow, SEND, type SendRow } from './sending/models.ts'
import { profileView, verifyProfile } from './sending/profiles.ts'
import { sendView } from './sending/sends.ts'
import type { SmtpdContext } from './setup.ts'

async function profileOf(ctx: Parameters<CommandDef['run']>[0], accountId: string, nameOrId: string) {
  const rows = await ctx.storage.findMany<ProfileRow>({
    model: PROFILE,
    where: { field: 'account_id', value: accountId },
  })
  const p = rows.find((r) => r.profile_name === nameOrId) ?? rows.find((r) => r.id === nameOrId)
  if (!p) throw new Error(`no sending profile "${nameOrId}" in that account`)
  return p
}

/** The operator's side of sending: list profiles and sends, mark a profile active without DNS. */
export const sendingCommands: CommandDef<SmtpdContext>[] = [
  {
    path: ['smtpd', 'profile', 'list'],
    description: 'List the sending profiles of an account',
    args: [{ name: 'account', description: 'account name or id' }],
    async run(ctx, [nameOrId]) {
      const a = await account(ctx, nameOrId!)
      const rows = await ctx.storage.findMany<ProfileRow>({
        model: PROFILE,
        where: { field: 'account_id', value: a.id },
        sort: [{ field: 'created_at' }, { field: 'profile_name' }],
      })
      return rows.map(profileView)
    },
  },
  {
    path: ['smtpd', 'profile', 'activate'],
    description:
      'Mark a sending profile active, every DNS record valid (as verify does with the DNS check off)',
    args: [
      { name: 'account', description: 'account name or id' },
      { name: 'profile', description: 'profile name or id' },
    ],
    async run(ctx, [nameOrId, profile]) {
      const a = await account(ctx, nameOrId!)
      const p = await profileOf(ctx, a.id, profile!)
      const opts = { ...ctx.state.sending.opts, dnsCheck: 'off' as const }
      return profileView((await verifyProfile(ctx, opts, p.id))!)
    },
  },
  {
    path: ['smtpd', 'send', 'list'],
    description: 'List the last sends of an account, newest first',
    args: [{ name: 'account', description: 'account name or id' }],
    options: [
      { flag: '--limit <n>', description: 'how many (1 to 1000)', default: '100' },
      { flag: '--recipient <text>', description: 'only recipients whose address contains this' },
    ],
    async run(ctx, [nameOrId], o) {
      const limit = Number(o.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new Error(`--limit must be a whole number from 1 to 1000, got "${o.limit}"`)
      const a = await account(ctx, nameOrId!)
      const rows = await ctx.storage.findMany<SendRow>({
        model: SEND,
        where: {
          and: [
            { field: 'account_id', value: a.id },
            ...(o.recipient
              ? [
                  {
                    field: 'recipient_email_address',
                    op: 'contains' as const,
                    value: String(o.recipient),
                    ci: true,
                  },
                ]
              : []),
          ],
        },
        sort: [{ field: 'created_at', dir: 'desc' }],
        limit,
      })
      return rows.map(sendView)
    },
  },
]
