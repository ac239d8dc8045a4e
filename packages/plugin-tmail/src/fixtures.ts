import {
  adminCredentialFixture,
  boundedPasswordHash,
  defineFixtures,
  hashPassword,
  isPasswordHash,
  type PluginContext,
  randomHex,
  sha512Crypt,
  sha512CryptSalt,
  z,
} from '@mailfront/core'
import { QUOTA } from './options.ts'
import type { TmailContext } from './setup.ts'
import { admin, type MessageRow, messageWire, QUEUE, USER, type UserRow, userWire } from './store.ts'
import { goTime, RFC3339 } from './time.ts'
import { findUser, homeOf } from './users.ts'

const BCRYPT = /^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/
const time = z.string().regex(RFC3339, 'must be an RFC 3339 time, e.g. 2015-04-11T09:03:02.737+02:00')

// Fixture records use the wire's own keys, so a GET /users or GET /queue answer can be pasted in.
export const userFixture = z
  .object({
    Id: z.number().int().positive().optional(),
    Login: z.string().min(4).max(256),
    Passwd: z
      .string()
      .min(6)
      .superRefine(boundedPasswordHash)
      .describe('in clear (both hashes are computed on load) or a bcrypt hash (cost 4..12)'),
    DovePasswd: z
      .string()
      .superRefine(boundedPasswordHash)
      .optional()
      .describe('SHA-512 crypt (rounds 1000..25000); needed when Passwd is already a hash'),
    Active: z.string().length(1).default('Y'),
    AuthRelay: z.boolean().default(false),
    HaveMailbox: z.boolean().default(false),
    IsCatchall: z.boolean().default(false),
    MailboxQuota: z.string().default(''),
    Home: z.string().optional().describe('derived from the login when a mailbox is set and Home is omitted'),
  })
  .strict()
  .superRefine((u, c) => {
    if (BCRYPT.test(u.Passwd) && !u.DovePasswd)
      c.addIssue({ code: 'custom', path: ['DovePasswd'], message: 'required when Passwd is a bcrypt hash' })
    if (u.DovePasswd && !(isPasswordHash(u.DovePasswd) && u.DovePasswd.startsWith('$6$')))
      c.addIssue({ code: 'custom', path: ['DovePasswd'], message: 'must be a SHA-512 crypt hash ($6$…)' })
    if (u.IsCatchall && !u.HaveMailbox)
      c.addIssue({ code: 'custom', path: ['IsCatchall'], message: 'a catch-all needs a mailbox' })
    if (u.HaveMailbox && !/^[^@\s]+@[^@\s]+$/.test(u.Login))
      c.addIssue({ code: 'custom', path: ['Login'], message: 'must be an e-mail address with a mailbox' })
    if (u.MailboxQuota && !QUOTA.test(u.MailboxQuota))
      c.addIssue({ code: 'custom', path: ['MailboxQuota'], message: 'bytes or a number with K, M or G' })
  })

export const messageFixture = z
  .object({
    Id: z.number().int().positive(),
    Uuid: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    Key: z.string().optional().describe("ignored: the seed's older listing shows it; tmail dropped it"),
    MailFrom: z.string().describe('empty for a bounce'),
    AuthUser: z.string().default(''),
    RcptTo: z.string().email(),
    MessageId: z.string().default(''),
    Host: z.string().optional().describe("defaults to the recipient's domain"),
    LastUpdate: time.optional(),
    AddedAt: time.optional(),
    NextDeliveryScheduledAt: time.optional(),
    Status: z.number().int().min(0).max(3).default(2),
    DeliveryFailedCount: z.number().int().nonnegative().default(0),
  })
  .strict()

export const fixturesSchema = z
  .object({
    admin: adminCredentialFixture.optional(),
    users: z.array(userFixture).default([]),
    queue: z.array(messageFixture).default([]),
  })
  .strict()
export type TmailFixtures = z.infer<typeof fixturesSchema>

async function upsert<T extends { id: number }>(
  ctx: PluginContext,
  model: string,
  existing: T | null,
  data: Record<string, unknown>,
) {
  if (existing) {
    const { id: _, ...set } = data
    await ctx.storage.updateOne({ model, where: { field: 'id', value: existing.id }, set })
  } else await ctx.storage.create({ model, data })
}

export async function upsertUser(ctx: TmailContext, u: z.infer<typeof userFixture>): Promise<void> {
  const opts = ctx.options
  const login = u.Login.toLowerCase()
  const hashed = BCRYPT.test(u.Passwd)
  const quota = u.HaveMailbox ? u.MailboxQuota || opts.defaultQuota : ''
  await upsert(ctx, USER, await findUser(ctx.storage, login), {
    ...(u.Id ? { id: u.Id } : {}),
    login,
    passwd: hashed ? u.Passwd : await hashPassword(u.Passwd),
    dove_passwd: u.DovePasswd ?? (await sha512Crypt(u.Passwd, sha512CryptSalt())),
    active: u.Active,
    auth_relay: u.AuthRelay,
    have_mailbox: u.HaveMailbox,
    is_catchall: u.IsCatchall,
    mailbox_quota: quota,
    home: u.Home ?? (u.HaveMailbox ? homeOf(opts.homeBase, login) : ''),
    catchall_domain: u.IsCatchall ? login.split('@')[1] : null,
  })
}

export async function upsertMessage(ctx: PluginContext, m: z.infer<typeof messageFixture>): Promise<void> {
  const added = m.AddedAt ?? goTime(ctx.clock.now())
  const existing = await ctx.storage.findOne<MessageRow>({
    model: QUEUE,
    where: { field: 'id', value: m.Id },
  })
  const data = {
    uuid: m.Uuid ?? existing?.uuid ?? randomHex(20),
    mail_from: m.MailFrom,
    auth_user: m.AuthUser,
    rcpt_to: m.RcptTo,
    message_id: m.MessageId,
    host: m.Host ?? m.RcptTo.split('@')[1]!.toLowerCase(),
    last_update: m.LastUpdate ?? added,
    added_at: added,
    next_delivery_scheduled_at: m.NextDeliveryScheduledAt ?? added,
    status: m.Status,
    delivery_failed_count: m.DeliveryFailedCount,
  }
  await upsert(ctx, QUEUE, existing, { id: m.Id, ...data })
}

export const fixtures = defineFixtures({
  schema: fixturesSchema,
  async load(ctx: TmailContext, data) {
    const n = await admin.load(ctx, data.admin)
    for (const u of data.users) await upsertUser(ctx, u)
    for (const m of data.queue) await upsertMessage(ctx, m)
    return { upserted: n + data.users.length + data.queue.length }
  },
  smtpLogins: (data) => data.users.map((u) => u.Login.toLowerCase()),
  async export(ctx) {
    const users = await ctx.storage.findMany<UserRow>({ model: USER, sort: [{ field: 'id' }] })
    const queue = await ctx.storage.findMany<MessageRow>({ model: QUEUE, sort: [{ field: 'id' }] })
    return {
      ...(await admin.export(ctx)),
      users: users.map(userWire),
      queue: queue.map(messageWire),
    }
  },
})
