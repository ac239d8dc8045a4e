import { type CommandDef, randomSecret } from '@mailfront/core'
import { listAliases } from './aliases.ts'
import { setAdmin } from './fixtures.ts'
import type { ExampleContext } from './options.ts'
import { aliasWire } from './store.ts'

/** `mailfront example …`: each command runs against the configured store, then exits. */
export const commands: CommandDef<ExampleContext>[] = [
  {
    path: ['example', 'admin', 'set'],
    description: 'Set the admin credential (prints a generated password when none is given)',
    args: [
      { name: 'login', description: 'admin login' },
      { name: 'password', description: 'admin password', optional: true },
    ],
    async run(ctx, [login, password]) {
      if (!login || login.includes(':')) throw new Error('the login must be non-empty and contain no ":"')
      const pw = password ?? randomSecret(18)
      await setAdmin(ctx, login, pw)
      return { login, password: password ? 'set' : pw }
    },
  },
  {
    path: ['example', 'aliases', 'list'],
    description: 'List the aliases, as GET /example/aliases shows them',
    options: [{ flag: '--domain <domain>', description: 'only this domain' }],
    async run(ctx, _args, o) {
      const rows = await listAliases(ctx, typeof o.domain === 'string' ? o.domain : undefined)
      return rows.map(aliasWire)
    },
  },
]
