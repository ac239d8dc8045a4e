import { OptionsError, optionDocs, optionValuesFromEnv, parseOptions } from '@mailfront/core'
import { createTestContext, mountPluginForTest } from '@mailfront/core/testing'
import { describe, expect, it } from 'vitest'
import { commands } from './cli.ts'
import { fixtures } from './fixtures.ts'
import { examplePlugin } from './index.ts'
import { exampleOptions } from './options.ts'

describe('options', () => {
  it('are read from MAILFRONT_EXAMPLE_<KEY> and typed', () => {
    const env = { MAILFRONT_EXAMPLE_MAX_DESTINATIONS: '3', MAILFRONT_EXAMPLE_CHALLENGE: 'off' }
    const o = parseOptions('example', exampleOptions, optionValuesFromEnv('example', exampleOptions, env))
    expect(o).toMatchObject({ maxDestinations: 3, challenge: false, loginFailures: 10 })
  })

  it('a bad value is one line naming the variable', () => {
    expect(() => parseOptions('example', exampleOptions, { maxDestinations: '0' })).toThrow(
      new OptionsError('MAILFRONT_EXAMPLE_MAX_DESTINATIONS must be a whole number ≥ 1 (got "0")'),
    )
  })

  it('are documented for --help, with their defaults', () => {
    expect(optionDocs('example', exampleOptions)[0]).toEqual({
      env: 'MAILFRONT_EXAMPLE_MAX_DESTINATIONS',
      key: 'maxDestinations',
      description: 'Destinations one alias may have',
      default: '10',
    })
  })
})

describe('CLI commands', () => {
  it('admin set stores a credential the API accepts; aliases list shows the aliases', async () => {
    const { app, ctx } = await mountPluginForTest(examplePlugin(), createTestContext())
    const run = (name: string, args: string[] = [], o = {}) =>
      commands.find((c) => c.path.join(' ') === name)!.run(ctx as never, args, o)
    const set = (await run('example admin set', ['root'])) as { password: string }
    expect(set.password).toHaveLength(24)
    const auth = `Basic ${Buffer.from(`root:${set.password}`).toString('base64')}`
    await fixtures.load(
      ctx as never,
      fixtures.schema.parse({ aliases: [{ address: 'a@b.test', destinations: ['c@b.test'] }] }),
    )
    expect((await app.request('/example/aliases', { headers: { Authorization: auth } })).status).toBe(200)
    expect(await run('example aliases list', [], { domain: 'b.test' })).toMatchObject([
      { address: 'a@b.test' },
    ])
    expect(await run('example aliases list', [], { domain: 'x.test' })).toEqual([])
  })
})
