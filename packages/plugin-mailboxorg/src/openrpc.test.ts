import { createTestContext, mountPluginForTest } from '@mailfront/core/testing'
import { validateOpenRPCDocument } from '@open-rpc/schema-utils-js'
import { describe, expect, it } from 'vitest'
import { mailboxorgMethods, mailboxorgPlugin } from './index.ts'
import { mailboxorgOpenrpc } from './openrpc.ts'

describe('OpenRPC', () => {
  const doc = mailboxorgOpenrpc(mailboxorgMethods(), '1.0')

  it('is valid against the OpenRPC meta-schema', () => {
    expect(validateOpenRPCDocument(doc as never)).toBe(true)
  })

  it('describes every method with its params, result, errors and level', () => {
    const names = doc.methods.map((m) => m.name)
    for (const n of [
      'auth',
      'deauth',
      'hello.world',
      'hello.innerworld',
      'domain.list',
      'account.add',
      'account.get',
      'account.set',
      'account.del',
      'account.list',
      'domain.add',
      'domain.get',
      'domain.set',
      'domain.del',
      'domain.capabilities.set',
      'mail.add',
      'mail.get',
      'mail.set',
      'mail.del',
      'mail.list',
      'mail.capabilities.set',
      'search',
      'test.accountallowed',
      'test.domainallowed',
      'utils.validator',
      'rpc.discover',
    ])
      expect(names).toContain(n)
    const auth = doc.methods.find((m) => m.name === 'auth')!
    expect(auth.params.map((p) => [p.name, p.required])).toEqual([
      ['user', true],
      ['pass', true],
    ])
    expect(auth.errors).toContainEqual({ code: 2, message: 'Access denied' })
    expect(doc.methods.find((m) => m.name === 'mail.add')!['x-mailfront-access']).toEqual([
      'account',
      'domain',
    ])
  })

  it('is served by rpc.discover', async () => {
    const { app } = await mountPluginForTest(mailboxorgPlugin(), createTestContext())
    const res = await app.request('/v1/', {
      method: 'POST',
      body: '{"jsonrpc":"2.0","method":"rpc.discover","id":1}',
    })
    const body = await res.json()
    expect(body.result).toEqual(JSON.parse(JSON.stringify(doc)))
  })
})
