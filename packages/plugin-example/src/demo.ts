import { defineDemo } from '@mailfront/core'
import type { ExampleFixtures } from './fixtures.ts'

/**
 * Loaded on a first start on a loopback address (valid for the fixtures schema), and what the server
 * prints to try it (`{curl}` and `{url}` are filled in by the server).
 */
export const demo = defineDemo<ExampleFixtures>({
  data: {
    admin: { login: 'admin', password: 'demo-admin-password' },
    aliases: [
      { address: 'info@aliases.test', destinations: ['alice@aliases.test', 'bob@aliases.test'] },
      { address: 'postmaster@aliases.test', destinations: ['alice@aliases.test'], comment: 'RFC 5321' },
    ],
  },
  try: ['{curl} -u admin:demo-admin-password {url}/example/aliases'],
})
