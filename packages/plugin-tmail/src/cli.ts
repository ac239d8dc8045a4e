import { type CommandDef, z } from '@mailfront/core'
import { withLiveState } from './live.ts'
import { enqueue, processQueue } from './queue.ts'
import type { TmailContext } from './setup.ts'
import { admin, type MessageRow, messageWire, QUEUE } from './store.ts'

const email = z.string().email()

export const commands: CommandDef<TmailContext>[] = [
  admin.setCommand('tmail', {
    description: 'Set the REST admin credential (prints a generated password when none is given)',
    note: (ctx) =>
      ctx.options.adminLogin !== undefined
        ? { note: 'MAILFRONT_TMAIL_ADMIN_LOGIN is set and takes precedence over the stored credential' }
        : {},
  }),
  {
    path: ['tmail', 'admin', 'show'],
    description: 'Show which admin credential is in force (never the password)',
    async run(ctx) {
      const o = ctx.options
      if (o.adminLogin !== undefined) return { login: o.adminLogin, source: 'environment' }
      const a = await admin.get(ctx)
      return a ? { login: a.login, source: 'store' } : { login: null, source: 'none: every request gets 401' }
    },
  },
  {
    path: ['tmail', 'queue', 'add'],
    description: 'Queue a message (one row per recipient, status 2 "scheduled")',
    options: [
      { flag: '--from <address>', description: 'MAIL FROM (empty for a bounce)', default: '' },
      { flag: '--to <addresses>', description: 'recipients, comma-separated' },
      { flag: '--auth-user <login>', description: 'SMTP AUTH user' },
      { flag: '--message-id <id>', description: 'Message-ID (generated when omitted)' },
      { flag: '--status <n>', description: '0 in progress, 1 discard, 2 scheduled, 3 bounce', default: '2' },
    ],
    async run(ctx, _args, o) {
      const from = String(o.from ?? '')
      if (from && !email.safeParse(from).success) throw new Error(`--from "${from}" is not an e-mail address`)
      const to = String(o.to ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      if (!to.length) throw new Error('--to needs at least one recipient')
      for (const r of to)
        if (!email.safeParse(r).success) throw new Error(`--to "${r}" is not an e-mail address`)
      const status = Number(o.status)
      if (![0, 1, 2, 3].includes(status)) throw new Error(`--status must be 0, 1, 2 or 3, got "${o.status}"`)
      const rows = await enqueue(ctx, {
        mailFrom: from,
        rcptTo: to,
        status,
        ...(o.authUser ? { authUser: String(o.authUser) } : {}),
        ...(o.messageId ? { messageId: String(o.messageId) } : {}),
      })
      return rows.map(messageWire)
    },
  },
  {
    path: ['tmail', 'queue', 'list'],
    description: 'List queued messages, as GET /queue shows them',
    options: [{ flag: '--status <n>', description: 'only this status' }],
    async run(ctx, _args, o) {
      const rows = await ctx.storage.findMany<MessageRow>({ model: QUEUE, sort: [{ field: 'id' }] })
      // As GET /queue shows them: relay users' rows with their live state, delivered mail left out.
      const shown = (await withLiveState(ctx, rows)).filter((r): r is MessageRow => r !== null)
      return shown.filter((r) => o.status === undefined || r.status === Number(o.status)).map(messageWire)
    },
  },
  {
    path: ['tmail', 'queue', 'process'],
    description: 'Apply pending discards and bounces now (the server does it every few seconds)',
    async run(ctx) {
      return processQueue(ctx)
    },
  },
]
