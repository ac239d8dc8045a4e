import type { CommandDef } from '@mailfront/core'
import { listAliases } from './aliases.ts'
import type { ExampleContext } from './setup.ts'
import { admin, aliasWire } from './store.ts'

/** `mailfront example …`: each command runs against the configured store, then exits. */
export const commands: CommandDef<ExampleContext>[] = [
  admin.setCommand('example'),
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
