import { z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { requireMail } from '../scope.ts'
import type { MailRow } from '../store.ts'
import { BACKUP_RESTORE, type BackupRestoreRow } from '../store-resources.ts'

// Backups offered for a mailbox and restore requests. mailfront keeps no mail, so the backups are the
// schedule a mailbox would have (one a day, kept 14 days), and a restore is recorded, not performed.

const LEVELS = ['account', 'domain', 'mail'] as const
export const BACKUP_DAYS = 14
const DAY_MS = 86_400_000
const BACKUP_HOUR_MS = 2 * 3_600_000

const backupObject = z.object({ id: z.number().int(), time: z.number().int(), date: z.string() })
const restoreObject = z.object({
  request_id: z.number().int(),
  id: z.number().int(),
  time: z.number().int(),
  filter: z.string(),
  status: z.string(),
  requested_at: z.string(),
})

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

/**
 * The backups of a mailbox, id 1 the newest: those its fixture gave it (up to now), else the daily
 * ones (02:00 UTC) of the last 14 days since the mailbox exists.
 */
export function backupsOf(m: MailRow, now: number): z.infer<typeof backupObject>[] {
  const given = m.extras?.backups
  if (given)
    return given
      .filter((t) => t <= now)
      .map((t, i) => ({ id: i + 1, time: Math.floor(t / 1000), date: stamp(t) }))
  const out: z.infer<typeof backupObject>[] = []
  let t = Math.floor((now - BACKUP_HOUR_MS) / DAY_MS) * DAY_MS + BACKUP_HOUR_MS
  for (let id = 1; id <= BACKUP_DAYS && t >= m.created_at; id++, t -= DAY_MS)
    out.push({ id, time: t / 1000, date: stamp(t) })
  return out
}

const restoreView = (r: BackupRestoreRow): z.infer<typeof restoreObject> => ({
  request_id: Number(r.id),
  id: r.backup_id,
  time: r.backup_time,
  filter: r.filter,
  status: r.status,
  requested_at: stamp(r.created_at),
})

async function restoresOf(call: Call, mail: string) {
  const rows = await call.ctx.storage.findMany<BackupRestoreRow>({
    model: BACKUP_RESTORE,
    where: { field: 'mail', value: mail },
    sort: [{ field: 'id', dir: 'desc' }],
    limit: 100,
  })
  return rows.map(restoreView)
}

export const backupMethods = [
  defineMethod({
    name: 'mail.backup.list',
    summary: 'The backups a mailbox can be restored from: {id, time (Unix seconds), date}',
    access: LEVELS,
    params: z.object({ mail: z.string().min(1) }),
    result: z.array(backupObject),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    handler: async ({ mail }, call) => backupsOf(await requireMail(call, mail), call.ctx.clock.now()),
  }),
  defineMethod({
    name: 'mail.backup.import',
    summary:
      'Request a restore of a backup into the mailbox ("all" or one IMAP folder); returns the restore requests, newest first',
    access: LEVELS,
    params: z.object({
      mail: z.string().min(1),
      id: z.number().int().positive(),
      time: z.number().int().positive(),
      filter: z.string().trim().min(1).max(255),
    }),
    result: z.array(restoreObject),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'BACKUP_NOT_FOUND'],
    async handler({ mail, id, time, filter }, call) {
      const m = await requireMail(call, mail)
      if (!backupsOf(m, call.ctx.clock.now()).some((b) => b.id === id && b.time === time))
        throw errors.BACKUP_NOT_FOUND()
      await call.ctx.storage.create({
        model: BACKUP_RESTORE,
        data: {
          mail: m.mail,
          backup_id: id,
          backup_time: time,
          filter,
          requested_by: call.session!.principal,
          created_at: call.ctx.clock.now(),
        },
      })
      call.ctx.log.info(
        { plugin: 'mailboxorg', mail: m.mail, backup: id, filter },
        'mailbox.org backup restore requested',
      )
      return restoresOf(call, m.mail)
    },
  }),
]
