import { describe, expect, it } from 'vitest'
import { call, ctx, login, setup } from '../test/plugin-harness.ts'
import { fixtures } from './fixtures.ts'

// The plugin's fixtures: what is exported loads back to the same.

describe('fixtures', () => {
  it('round-trip through export and load', async () => {
    await setup()
    const s = await login('test_account', '123456')
    await call('mail.blacklist.add', { mail: 'user1@domain1.test', add_address: 'x@y.z' }, s)
    await call('mail.apppassword.add', { mail: 'user1@domain1.test', memo: 'tablet' }, s)
    await call('mailinglist.add', { mailinglist: 'all', password: 'secret1', account: 'test_account' }, s)
    const first = await fixtures.export(ctx)
    await fixtures.load(ctx, fixtures.schema.parse(first))
    expect(await fixtures.export(ctx)).toEqual(first)
  })
})
