import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { loginLimitsOf, loginThrottleOptions } from './auth/login-options.ts'
import {
  OptionsError,
  opt,
  optionDocs,
  optionEnvName,
  optionValuesFromEnv,
  parseOptions,
  unknownPluginVariables,
} from './options.ts'
import { definePlugin } from './plugin.ts'
import { preparePlugin } from './setup.ts'
import { createTestContext } from './testing/context.ts'

const schema = z.object({
  adminLogin: opt.text('Admin login'),
  adminPassword: opt.text('Admin password'),
  queueIntervalS: opt.whole(5, 'Seconds between queue runs'),
  verbose: opt.flag(false, 'Say more'),
  mode: opt.oneOf(['off', 'dns'], 'off', 'How to check'),
  ...loginThrottleOptions,
})

describe('plugin options', () => {
  it('derives MAILFRONT_<ID>_<KEY> names from camelCase keys', () => {
    expect(optionEnvName('tmail', 'queueIntervalS')).toBe('MAILFRONT_TMAIL_QUEUE_INTERVAL_S')
    expect(optionDocs('tmail', schema).slice(0, 3)).toEqual([
      { env: 'MAILFRONT_TMAIL_ADMIN_LOGIN', key: 'adminLogin', description: 'Admin login' },
      { env: 'MAILFRONT_TMAIL_ADMIN_PASSWORD', key: 'adminPassword', description: 'Admin password' },
      {
        env: 'MAILFRONT_TMAIL_QUEUE_INTERVAL_S',
        key: 'queueIntervalS',
        description: 'Seconds between queue runs',
        default: '5',
      },
    ])
  })

  it('parses strings into typed values with defaults', () => {
    const o = parseOptions('tmail', schema, { queueIntervalS: '0', verbose: 'yes' })
    expect(o).toMatchObject({ queueIntervalS: 0, verbose: true, mode: 'off', loginFailures: 10 })
    expect(loginLimitsOf(o)).toMatchObject({ perLoginAndAddress: 10, perAddress: 100, windowMs: 900_000 })
  })

  it('refuses a bad value in one line naming the variable, never echoing a secret', () => {
    expect(() => parseOptions('tmail', schema, { queueIntervalS: 'x' })).toThrow(
      new OptionsError('MAILFRONT_TMAIL_QUEUE_INTERVAL_S must be a whole number (got "x")'),
    )
    expect(() => parseOptions('tmail', schema, { mode: 'both' })).toThrow(
      'MAILFRONT_TMAIL_MODE must be one of off, dns (got "both")',
    )
    expect(() => parseOptions('tmail', schema, { loginWindowS: '0' })).toThrow(
      'MAILFRONT_TMAIL_LOGIN_WINDOW_S must be a whole number ≥ 1 (got "0")',
    )
    const err = (() => {
      try {
        parseOptions('tmail', schema, { adminPassword: '' })
      } catch (e) {
        return (e as Error).message
      }
    })()
    expect(err).toBe('MAILFRONT_TMAIL_ADMIN_PASSWORD must not be empty')
  })

  it('reads flags in any case, base URLs without trailing slashes, and refuses removed options', () => {
    const more = z.object({
      on: opt.flag(false, 'On'),
      base: opt.baseUrl('Base URL'),
      old: opt.removed('(it counted too much): set MAILFRONT_TMAIL_NEW instead'),
    })
    expect(parseOptions('tmail', more, { on: 'TRUE', base: 'https://x.test/a//' })).toEqual({
      on: true,
      base: 'https://x.test/a',
    })
    expect(() => parseOptions('tmail', more, { base: 'ftp://x' })).toThrow(
      'MAILFRONT_TMAIL_BASE must be an http(s) URL (got "ftp://x")',
    )
    expect(() => parseOptions('tmail', more, { old: '5' })).toThrow(
      'MAILFRONT_TMAIL_OLD is gone (it counted too much): set MAILFRONT_TMAIL_NEW instead',
    )
    expect(optionDocs('tmail', more)[2]!.description).toBe(
      'Removed (it counted too much): set MAILFRONT_TMAIL_NEW instead',
    )
  })

  it('reads an older name when the option it names is left at its default', () => {
    const withOld = schema.extend({
      grantAttempts: opt.olderName('MAILFRONT_TMAIL_LOGIN_FAILURES'),
      grantWindowS: opt.olderName('MAILFRONT_TMAIL_LOGIN_WINDOW_S', 1),
    })
    const limits = (values: Record<string, string>) => {
      const o = parseOptions('tmail', withOld, values)
      return loginLimitsOf(o, { loginFailures: o.grantAttempts, loginWindowS: o.grantWindowS })
    }
    expect(limits({})).toMatchObject({ perLoginAndAddress: 10, windowMs: 900_000 })
    expect(limits({ grantAttempts: '2', grantWindowS: '60' })).toMatchObject({
      perLoginAndAddress: 2,
      windowMs: 60_000,
    })
    expect(
      limits({ grantAttempts: '5', loginFailures: '2', loginWindowS: '30', grantWindowS: '60' }),
    ).toMatchObject({
      perLoginAndAddress: 2,
      windowMs: 30_000,
    })
    expect(() => parseOptions('tmail', withOld, { grantWindowS: '0' })).toThrow(
      'MAILFRONT_TMAIL_GRANT_WINDOW_S must be a whole number ≥ 1 (got "0")',
    )
    expect(optionDocs('tmail', withOld).at(-1)).toEqual({
      env: 'MAILFRONT_TMAIL_GRANT_WINDOW_S',
      key: 'grantWindowS',
      description: 'Older name of MAILFRONT_TMAIL_LOGIN_WINDOW_S, used when that is left at its default',
    })
  })

  it('reads a plugin’s variables from an environment and names the unknown ones', () => {
    const env = {
      MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '3',
      MAILFRONT_TMAIL_PREFIX: '/t',
      MAILFRONT_TMAIL_QUEUE_INTERVAL: '3',
      MAILFRONT_PORT: '1',
    }
    expect(optionValuesFromEnv('tmail', schema, env)).toEqual({ queueIntervalS: '3' })
    expect(unknownPluginVariables([{ id: 'tmail', options: schema }], env)).toEqual([
      'MAILFRONT_TMAIL_QUEUE_INTERVAL',
    ])
  })

  it('prepares a context once: options parsed, then setup’s state', () => {
    let setups = 0
    const plugin = definePlugin({
      id: 'toy',
      version: '1',
      options: z.object({ greeting: opt.text('Greeting') }),
      setup: (ctx) => {
        setups++
        return { hello: `${ctx.options.greeting ?? 'hi'}!` }
      },
      http: {
        paths: ['/toy'],
        routes(app, ctx) {
          app.get('/toy', (c) => c.text(ctx.state.hello))
        },
        errors: {},
        renderError: (e, c) => c.text(e.message, e.status as 400),
        docs: { kind: 'openapi', title: 'toy' },
      },
    })
    const ctx = preparePlugin(plugin, createTestContext({ options: { greeting: 'hey' } }))
    expect(ctx.state).toEqual({ hello: 'hey!' })
    expect(preparePlugin(plugin, ctx)).toBe(ctx)
    expect(setups).toBe(1)
  })
})
