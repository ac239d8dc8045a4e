import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { hasCurl, type ServerProcess, startServer } from './server-process.ts'

let srv: (ServerProcess & { dataDir: string }) | undefined

/** POST a body with curl as the seed's clients do (-k, JSON), optionally with the session header. */
function rpc(body: string, headers: string[] = []) {
  const args = ['-sk', '--max-time', '10', '-X', 'POST', '-H', 'Content-Type: application/json']
  for (const h of headers) args.push('-H', h)
  return JSON.parse(
    execFileSync('curl', [...args, '--data-binary', body, `${srv!.url}/v1/`], { encoding: 'utf8' }),
  )
}

describe.skipIf(!hasCurl)(
  'mailbox.org end to end: the seed examples over TLS with curl (curl is required)',
  () => {
    afterAll(() => {
      srv?.child.kill('SIGKILL')
    })

    it('replays auth, hello.*, domain.list and deauth against the demo data', async () => {
      srv = await startServer({})
      const auth = rpc(
        '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}',
      )
      expect(auth).toEqual({
        jsonrpc: '2.0',
        result: { session: expect.any(String), level: 'account' },
        id: '1',
      })
      const session = `HPLS-AUTH: ${auth.result.session}`
      expect(
        rpc('{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"nope"},"id":"1"}'),
      ).toEqual({
        jsonrpc: '2.0',
        error: { code: 2, message: 'Access denied' },
        id: '1',
      })
      expect(rpc('{"jsonrpc":"2.0","id":"1","method":"hello.world","params":""}')).toEqual({
        jsonrpc: '2.0',
        result: 'Hello World!',
        id: '1',
      })
      expect(rpc('{"jsonrpc":"2.0","id":"1","method":"hello.innerworld","params":""}', [session])).toEqual({
        jsonrpc: '2.0',
        result: 'Hello Inner-World!',
        id: '1',
      })
      expect(
        rpc('{"jsonrpc":"2.0","id":"1","method":"domain.list","params":{"account":"test_account"}}', [
          session,
        ]),
      ).toEqual({
        jsonrpc: '2.0',
        result: [
          { domain: 'domain1.test', count_mails: 2 },
          { domain: 'domain2.test', count_mails: 0 },
          { domain: 'domain3.test', count_mails: 33 },
          { domain: 'domain4.test', count_mails: 0 },
        ],
        id: '1',
      })
      // The PHP client drops its Content-Type once it sets HPLS-AUTH: the body is still JSON.
      const form = JSON.parse(
        execFileSync(
          'curl',
          [
            '-sk',
            '-H',
            session,
            '-H',
            'Content-Type: application/x-www-form-urlencoded',
            '--data-binary',
            '{"jsonrpc":"2.0","id":"1","method":"hello.innerworld","params":""}',
            `${srv.url}/v1`,
          ],
          { encoding: 'utf8' },
        ),
      )
      expect(form.result).toBe('Hello Inner-World!')
      expect(rpc('{"jsonrpc":"2.0","id":"1","method":"deauth","params":""}', [session])).toEqual({
        jsonrpc: '2.0',
        result: true,
        id: '1',
      })
      expect(
        rpc('{"jsonrpc":"2.0","id":"1","method":"hello.innerworld","params":""}', [session]).error,
      ).toEqual({
        code: 253,
        message: 'This Auth-ID is invalid',
      })
    })

    it('serves /openrpc.json and lists the envelope in /openapi.json', () => {
      const doc = JSON.parse(execFileSync('curl', ['-sk', `${srv!.url}/openrpc.json`], { encoding: 'utf8' }))
      expect(doc.openrpc).toBe('1.3.2')
      expect(doc.methods.length).toBeGreaterThan(20)
      const api = JSON.parse(execFileSync('curl', ['-sk', `${srv!.url}/openapi.json`], { encoding: 'utf8' }))
      expect(api.paths['/v1/'].post.operationId).toBe('mailboxorgRpc')
    })

    it('keeps a session across a restart (sessions live in the store)', async () => {
      const auth = rpc(
        '{"jsonrpc":"2.0","method":"auth","params":{"user":"demo_admin","pass":"demo-admin-pass"},"id":1}',
      )
      srv!.child.kill('SIGTERM')
      expect(await srv!.exited).toBe(0)
      srv = await startServer({}, srv!.dataDir)
      const r = rpc('{"jsonrpc":"2.0","id":2,"method":"account.get","params":{"account":"test_account"}}', [
        `HPLS-AUTH: ${auth.result.session}`,
      ])
      expect(r.result).toMatchObject({ account: 'test_account', plan: 'basic' })
    })
  },
)
