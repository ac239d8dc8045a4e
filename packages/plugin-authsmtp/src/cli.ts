import { assertSmtpLoginFree, type CommandDef, hashPassword, randomSecret, z } from '@mailfront/core'
import { accountFixture, quantity, upsertAccount } from './fixtures.ts'
import { ACCOUNT, type Account, normalizeUserId, recordUsage, requireAccount } from './store.ts'
import { formatLondon } from './time.ts'

const q = (name: string, v: unknown) => {
  const r = quantity.safeParse(v)
  if (!r.success) throw new Error(`--${name} must be a whole number, got "${String(v)}"`)
  return r.data
}

function view(a: Account) {
  return {
    user_id: a.user_id,
    api_enabled: a.api_enabled,
    api_password_set: !!a.api_password_hash,
    smtp_password_set: !!a.smtp_password_hash,
    next_reset: formatLondon(a.next_reset),
    messages: `${a.messages_sent}/${a.messages_limit}`,
    data: `${a.data_sent}/${a.data_limit}`,
    max_message_size: a.max_message_size,
    from_addresses: `${a.from_addresses.length}/${a.from_addresses_limit}`,
    ip_addresses: a.ip_addresses,
  }
}

const limitOptions = [
  { flag: '--messages-limit <n>', description: 'messages a month' },
  { flag: '--data-limit <bytes>', description: 'bytes a month' },
  { flag: '--max-message-size <bytes>', description: 'largest message' },
  { flag: '--from-limit <n>', description: 'pre-authorised From addresses allowed' },
]

/** `authsmtp <word> set USER [PASSWORD]`: stores the hash; prints a generated password when none is given. */
function passwordCommand(word: string, field: 'api_password' | 'smtp_password', what: string): CommandDef {
  return {
    path: ['authsmtp', word, 'set'],
    description: `${what} (prints a generated one when none is given)`,
    args: [
      { name: 'userId', description: 'user id' },
      {
        name: 'password',
        description: `the new ${field.replace('_', ' ').replace('api', 'API').replace('smtp', 'SMTP')}`,
        optional: true,
      },
    ],
    async run(ctx, [userId, password]) {
      const a = await requireAccount(ctx, userId!)
      const pw = password ?? randomSecret(18)
      await ctx.storage.updateOne({
        model: ACCOUNT,
        where: { field: 'id', value: a.id },
        set: { [`${field}_hash`]: await hashPassword(pw) },
      })
      return { user_id: a.user_id, [field]: password ? 'set' : pw }
    },
  }
}

export const commands: CommandDef[] = [
  {
    path: ['authsmtp', 'account', 'create'],
    description: 'Create (or update) an AuthSMTP account',
    args: [{ name: 'userId', description: 'user id, e.g. aa12345' }],
    options: [
      ...limitOptions,
      { flag: '--created-at <date>', description: 'creation date (quota anniversary)' },
    ],
    async run(ctx, [userId], o) {
      const a = accountFixture.parse({
        user_id: userId,
        messages_limit: o.messagesLimit ?? '1000',
        data_limit: o.dataLimit ?? '209715200',
        ...(o.maxMessageSize ? { max_message_size: o.maxMessageSize } : {}),
        ...(o.fromLimit ? { from_addresses_limit: o.fromLimit } : {}),
        ...(o.createdAt ? { created_at: o.createdAt } : {}),
        api_enabled: false,
      })
      // One SMTP login namespace: the user id is also the account's SMTP login.
      const id = normalizeUserId(a.user_id)
      await assertSmtpLoginFree(
        ctx,
        'authsmtp',
        id,
        () => new Error(`account "${id}" already exists as another provider's SMTP login`),
      )
      return view(await upsertAccount(ctx, a))
    },
  },
  {
    path: ['authsmtp', 'account', 'update'],
    description: 'Change the limits of an account',
    args: [{ name: 'userId', description: 'user id' }],
    options: limitOptions,
    async run(ctx, [userId], o) {
      const a = await requireAccount(ctx, userId!)
      const set: Record<string, unknown> = {}
      if (o.messagesLimit) set.messages_limit = q('messages-limit', o.messagesLimit)
      if (o.dataLimit) set.data_limit = q('data-limit', o.dataLimit)
      if (o.maxMessageSize) set.max_message_size = q('max-message-size', o.maxMessageSize)
      if (o.fromLimit) set.from_addresses_limit = q('from-limit', o.fromLimit)
      return view(
        (await ctx.storage.updateOne<Account>({ model: ACCOUNT, where: { field: 'id', value: a.id }, set }))!,
      )
    },
  },
  {
    path: ['authsmtp', 'account', 'list'],
    description: 'List accounts',
    async run(ctx) {
      return (await ctx.storage.findMany<Account>({ model: ACCOUNT, sort: [{ field: 'user_id' }] })).map(view)
    },
  },
  passwordCommand('password', 'api_password', 'Set the API password'),
  passwordCommand(
    'smtp-password',
    'smtp_password',
    'Set the SMTP submission password, separate from the API password',
  ),
  ...(['on', 'off'] as const).map(
    (state): CommandDef => ({
      path: ['authsmtp', 'access', state],
      description: `Turn API access ${state}`,
      args: [{ name: 'userId', description: 'user id' }],
      async run(ctx, [userId]) {
        const a = await requireAccount(ctx, userId!)
        return view(
          (await ctx.storage.updateOne<Account>({
            model: ACCOUNT,
            where: { field: 'id', value: a.id },
            set: { api_enabled: state === 'on' },
          }))!,
        )
      },
    }),
  ),
  ...(['add', 'remove'] as const).map(
    (op): CommandDef => ({
      path: ['authsmtp', 'ip', op],
      description: `${op === 'add' ? 'Add' : 'Remove'} a dedicated IP address`,
      args: [
        { name: 'userId', description: 'user id' },
        { name: 'ip', description: 'IPv4 or IPv6 address' },
      ],
      async run(ctx, [userId, ip]) {
        if (!z.union([z.ipv4(), z.ipv6()]).safeParse(ip).success)
          throw new Error(`"${ip}" is not an IP address`)
        const a = await requireAccount(ctx, userId!)
        const ips =
          op === 'add' ? [...new Set([...a.ip_addresses, ip!])] : a.ip_addresses.filter((x) => x !== ip)
        return view(
          (await ctx.storage.updateOne<Account>({
            model: ACCOUNT,
            where: { field: 'id', value: a.id },
            set: { ip_addresses: ips },
          }))!,
        )
      },
    }),
  ),
  {
    path: ['authsmtp', 'usage', 'record'],
    description: 'Record sent mail (applies the monthly reset when next_reset has passed)',
    args: [{ name: 'userId', description: 'user id' }],
    options: [
      { flag: '--messages <n>', description: 'messages sent', default: '1' },
      { flag: '--bytes <n>', description: 'bytes sent', default: '0' },
    ],
    async run(ctx, [userId], o) {
      return view(await recordUsage(ctx, userId!, q('messages', o.messages), q('bytes', o.bytes)))
    },
  },
]
