import type { ExampleFixtures } from './fixtures.ts'

/** Loaded on a first start on a loopback address (valid for the fixtures schema). */
export const demo: ExampleFixtures = {
  admin: { login: 'admin', password: 'demo-admin-password' },
  aliases: [
    { address: 'info@aliases.test', destinations: ['alice@aliases.test', 'bob@aliases.test'] },
    { address: 'postmaster@aliases.test', destinations: ['alice@aliases.test'], comment: 'RFC 5321' },
  ],
}

/** What the server prints to try the demo (`{curl}` and `{url}` are filled in by the server). */
export const demoLines = ['{curl} -u admin:demo-admin-password {url}/example/aliases']
