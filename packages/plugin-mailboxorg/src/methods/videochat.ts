import { hashPassword, z } from '@mailfront/core'
import { errors } from '../errors.ts'
import { type Call, defineMethod } from '../method.ts'
import { requireMail } from '../scope.ts'
import { VIDEOCHAT, type VideochatRow } from '../store-resources.ts'

// A mailbox's video conference rooms. Room passwords are kept as hashes and never returned.

const LEVELS = ['account', 'domain', 'mail'] as const
const roomName = z.string().trim().min(1).max(128)
const roomMemo = z.string().max(1000)
const roomPassword = z.string().min(4).max(128)

export const roomObject = z.object({
  room_id: z.number().int(),
  room_name: z.string(),
  room_memo: z.string(),
  has_password: z.boolean(),
  has_admin_password: z.boolean(),
})
const view = (r: VideochatRow): z.infer<typeof roomObject> => ({
  room_id: Number(r.id),
  room_name: r.room_name,
  room_memo: r.room_memo,
  has_password: !!r.room_password_hash,
  has_admin_password: !!r.room_admin_password_hash,
})

async function requireRoom(call: Call, mail: string, id: number): Promise<VideochatRow> {
  const m = await requireMail(call, mail)
  const r = await call.ctx.storage.findOne<VideochatRow>({
    model: VIDEOCHAT,
    where: { field: 'id', value: id },
  })
  if (!r || r.mail !== m.mail) throw errors.VIDEOCHAT_NOT_FOUND()
  return r
}

export const videochatMethods = [
  defineMethod({
    name: 'mail.videochat.list',
    summary: 'The video conference rooms of a mailbox',
    access: LEVELS,
    params: z.object({ mail: z.string().min(1) }),
    result: z.array(roomObject),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail }, call) {
      const m = await requireMail(call, mail)
      const rows = await call.ctx.storage.findMany<VideochatRow>({
        model: VIDEOCHAT,
        where: { field: 'mail', value: m.mail },
        sort: [{ field: 'id' }],
      })
      return rows.map(view)
    },
  }),
  defineMethod({
    name: 'mail.videochat.add',
    summary: 'Add a video conference room to a mailbox',
    access: LEVELS,
    params: z.object({ mail: z.string().min(1), room_name: roomName, room_memo: roomMemo.optional() }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND'],
    async handler({ mail, room_name, room_memo }, call) {
      const m = await requireMail(call, mail)
      await call.ctx.storage.create({
        model: VIDEOCHAT,
        data: { mail: m.mail, room_name, room_memo: room_memo ?? '', created_at: call.ctx.clock.now() },
      })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.videochat.update',
    summary: 'Change a room: name, memo, participant and moderator passwords ("" removes one)',
    access: LEVELS,
    params: z.object({
      mail: z.string().min(1),
      room_id: z.number().int().positive(),
      room_name: roomName.optional(),
      room_password: z.union([z.literal(''), roomPassword]).optional(),
      room_admin_password: z.union([z.literal(''), roomPassword]).optional(),
      room_memo: roomMemo.optional(),
    }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'VIDEOCHAT_NOT_FOUND'],
    async handler(p, call) {
      const r = await requireRoom(call, p.mail, p.room_id)
      const set: Record<string, unknown> = {}
      if (p.room_name !== undefined) set.room_name = p.room_name
      if (p.room_memo !== undefined) set.room_memo = p.room_memo
      for (const k of ['room_password', 'room_admin_password'] as const)
        if (p[k] !== undefined) set[`${k}_hash`] = p[k] ? await hashPassword(p[k]) : null
      if (Object.keys(set).length)
        await call.ctx.storage.updateOne({ model: VIDEOCHAT, where: { field: 'id', value: r.id }, set })
      return true as const
    },
  }),
  defineMethod({
    name: 'mail.videochat.del',
    summary: 'Delete a video conference room',
    access: LEVELS,
    aliases: ['mail.videochat.delete'],
    params: z.object({ mail: z.string().min(1), room_id: z.number().int().positive() }),
    result: z.literal(true),
    errors: ['ACCESS_DENIED', 'MAIL_NOT_FOUND', 'VIDEOCHAT_NOT_FOUND'],
    async handler({ mail, room_id }, call) {
      const r = await requireRoom(call, mail, room_id)
      await call.ctx.storage.deleteOne({ model: VIDEOCHAT, where: { field: 'id', value: r.id } })
      return true as const
    },
  }),
]
