import { type PluginContext, type StorageAdapter, upsertOne, type Where, z } from '@mailfront/core'
import { hashed, lower, secret, section } from './fixtures-fields.ts'
import { INVOICE_FILE_TYPES } from './invoice-files.ts'
import { MAIL_PLANS } from './objects.ts'
import {
  ADDITIONAL_ACCOUNT,
  type AdditionalAccountRow,
  BACKUP_RESTORE,
  type BackupRestoreRow,
  GROUP,
  type GroupRow,
  INVOICE,
  type InvoiceRow,
  TOKEN,
  type TokenRow,
  VIDEOCHAT,
  type VideochatRow,
} from './store-resources.ts'
import { registrationHash } from './tokens.ts'

// The fixture sections of the second round. Reset codes and the SMS outbox are left out: they
// live 15 minutes and are no state worth carrying.

const date = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'YYYY-MM-DD')

export const resourceSections = {
  invoices: section({
    invoice_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    account: z.string().min(1),
    date,
    amount: z.number(),
    payment_type: z.string().default('invoice'),
    status: z.string().default('open'),
    files: z
      .object({
        pdf: z.string().base64().optional(),
        csv: z.string().optional(),
        xml: z.string().optional(),
      })
      .strict()
      .default({})
      .describe(`files to serve instead of generated ones (${INVOICE_FILE_TYPES.join(', ')}; pdf in base64)`),
  }),
  groups: section({
    account: z.string().min(1),
    name: z.string().min(1),
    display_name: z.string().min(1),
    mail_addresses: z.array(z.string().email()).default([]),
  }),
  videochat_rooms: section({
    room_id: z.number().int().positive(),
    mail: z.string().email(),
    room_name: z.string().min(1),
    room_memo: z.string().default(''),
    room_password: secret.optional(),
    room_admin_password: secret.optional(),
  }),
  additional_accounts: section({
    parent_mail: z.string().email(),
    account_mail: z.string().email(),
    password: secret,
    settings: z.record(z.string(), z.unknown()).default({}),
  }),
  backup_restores: section({
    request_id: z.number().int().positive(),
    mail: z.string().email(),
    id: z.number().int().positive(),
    time: z.number().int().positive(),
    filter: z.string().min(1),
    status: z.string().default('queued'),
    requested_by: z.string().min(1),
  }),
  registration_tokens: z
    .array(
      z
        .object({
          token: z.string().min(16).optional().describe('in clear (hashed on load)'),
          token_sha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .optional()
            .describe('as exported'),
          domain: z.string().min(4),
          plan: z.enum(MAIL_PLANS).default('standard'),
          expires_at: z.number().int().nullable().default(null).describe('epoch ms; null: never'),
        })
        .strict()
        .refine((t) => (t.token === undefined) !== (t.token_sha256 === undefined), {
          message: 'give either token or token_sha256',
        }),
    )
    .default([]),
}

type Sections = { [K in keyof typeof resourceSections]: z.infer<(typeof resourceSections)[K]> }

/** Update the row `where` selects, or create it (composite natural keys). */
async function upsertWhere(db: StorageAdapter, model: string, where: Where, set: Record<string, unknown>) {
  if (!(await db.updateOne({ model, where, set }))) await db.create({ model, data: set })
}
const both = (a: [string, string], b: [string, string]): Where => ({
  and: [
    { field: a[0], value: a[1] },
    { field: b[0], value: b[1] },
  ],
})

export async function loadResources(ctx: PluginContext, data: Sections): Promise<number> {
  const db = ctx.storage
  const now = ctx.clock.now()
  for (const i of data.invoices)
    await upsertOne(db, {
      model: INVOICE,
      key: { field: 'invoice_id', value: i.invoice_id },
      set: { ...i, account: lower(i.account), created_at: now },
    })
  for (const g of data.groups) {
    const account = lower(g.account)
    const name = lower(g.name)
    await upsertWhere(db, GROUP, both(['account', account], ['name', name]), {
      account,
      name,
      display_name: g.display_name,
      members: [...new Set(g.mail_addresses.map(lower))],
      created_at: now,
    })
  }
  for (const r of data.videochat_rooms)
    await upsertOne(db, {
      model: VIDEOCHAT,
      key: { field: 'id', value: r.room_id },
      set: {
        mail: lower(r.mail),
        room_name: r.room_name,
        room_memo: r.room_memo,
        room_password_hash: r.room_password ? await hashed(r.room_password) : null,
        room_admin_password_hash: r.room_admin_password ? await hashed(r.room_admin_password) : null,
        created_at: now,
      },
    })
  for (const a of data.additional_accounts) {
    const parent_mail = lower(a.parent_mail)
    const account_mail = lower(a.account_mail)
    await upsertWhere(
      db,
      ADDITIONAL_ACCOUNT,
      both(['parent_mail', parent_mail], ['account_mail', account_mail]),
      {
        parent_mail,
        account_mail,
        password_hash: await hashed(a.password),
        settings: a.settings,
        created_at: now,
      },
    )
  }
  for (const b of data.backup_restores)
    await upsertOne(db, {
      model: BACKUP_RESTORE,
      key: { field: 'id', value: b.request_id },
      set: {
        mail: lower(b.mail),
        backup_id: b.id,
        backup_time: b.time,
        filter: b.filter,
        status: b.status,
        requested_by: b.requested_by,
        created_at: now,
      },
    })
  for (const t of data.registration_tokens)
    await upsertOne(db, {
      model: TOKEN,
      key: { field: 'token_hash', value: t.token_sha256 ?? registrationHash(t.token!) },
      set: {
        kind: 'register',
        subject: lower(t.domain),
        plan: t.plan,
        expires_at: t.expires_at,
        created_at: now,
      },
    })
  return Object.values(data).reduce((n, list) => n + list.length, 0)
}

export async function exportResources(ctx: PluginContext): Promise<Sections> {
  const all = <T>(model: string, field: string) =>
    ctx.storage.findMany<T & { id: string | number }>({ model, sort: [{ field }] })
  const invoices = await all<InvoiceRow>(INVOICE, 'invoice_id')
  const groups = await all<GroupRow>(GROUP, 'id')
  const rooms = await all<VideochatRow>(VIDEOCHAT, 'id')
  const linked = await all<AdditionalAccountRow>(ADDITIONAL_ACCOUNT, 'id')
  const restores = await all<BackupRestoreRow>(BACKUP_RESTORE, 'id')
  const tokens = (await all<TokenRow>(TOKEN, 'token_hash')).filter((t) => t.kind === 'register')
  return {
    invoices: invoices.map((i) => ({
      invoice_id: i.invoice_id,
      account: i.account,
      date: i.date,
      amount: i.amount,
      payment_type: i.payment_type,
      status: i.status,
      files: i.files ?? {},
    })),
    groups: groups.map((g) => ({
      account: g.account,
      name: g.name,
      display_name: g.display_name,
      mail_addresses: g.members,
    })),
    videochat_rooms: rooms.map((r) => ({
      room_id: Number(r.id),
      mail: r.mail,
      room_name: r.room_name,
      room_memo: r.room_memo,
      ...(r.room_password_hash ? { room_password: r.room_password_hash } : {}),
      ...(r.room_admin_password_hash ? { room_admin_password: r.room_admin_password_hash } : {}),
    })),
    additional_accounts: linked.map((a) => ({
      parent_mail: a.parent_mail,
      account_mail: a.account_mail,
      password: a.password_hash,
      settings: a.settings,
    })),
    backup_restores: restores.map((b) => ({
      request_id: Number(b.id),
      mail: b.mail,
      id: b.backup_id,
      time: b.backup_time,
      filter: b.filter,
      status: b.status,
      requested_by: b.requested_by,
    })),
    registration_tokens: tokens.map((t) => ({
      token_sha256: t.token_hash,
      domain: t.subject,
      plan: t.plan as (typeof MAIL_PLANS)[number],
      expires_at: t.expires_at,
    })),
  }
}
