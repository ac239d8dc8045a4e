import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { hasCurl, type ServerProcess, startServer } from './server-process.ts'

let srv: (ServerProcess & { dataDir: string }) | undefined
const curl = (...args: string[]) => {
  const out = execFileSync('curl', ['-sk', '--max-time', '10', '-w', '\n%{http_code}', ...args], {
    encoding: 'utf8',
  })
  const i = out.lastIndexOf('\n')
  return { status: Number(out.slice(i + 1)), body: out.slice(0, i) ? JSON.parse(out.slice(0, i)) : null }
}

describe.skipIf(!hasCurl)('SMTPD end to end over TLS with curl (curl is required)', () => {
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('logs in as the demo prints, uses, refreshes and revokes', async () => {
    srv = await startServer({})
    const u = srv.url
    // The line `npm start` prints for SMTPD.
    const grant = curl(
      '-X',
      'POST',
      '-u',
      'jack.truong@example.com:demo-password',
      `${u}/oauth/token?grant_type=password`,
    )
    expect(grant.status).toBe(200)
    expect(grant.body).toMatchObject({ token_type: 'bearer', Scope: ['owner'] })
    const auth = `Authorization: Bearer ${grant.body.access_token}`
    expect(curl('-H', auth, `${u}/oauth/me`).body).toMatchObject({
      email_address: 'jack.truong@example.com',
      created_at_utc: 1598610725000,
    })
    expect(curl('-H', auth, `${u}/oauth/validate`).status).toBe(200)
    const refreshed = curl(
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ refresh_token: grant.body.refresh_token }),
      `${u}/oauth/token?grant_type=refresh_token`,
    )
    expect(refreshed.body.refresh_token).toBe(grant.body.refresh_token)
    expect(
      curl('-X', 'POST', '-H', auth, '-d', `refresh_token=${grant.body.refresh_token}`, `${u}/oauth/revoke`)
        .status,
    ).toBe(200)
    expect(
      curl(
        '-X',
        'POST',
        '-d',
        `refresh_token=${grant.body.refresh_token}`,
        `${u}/oauth/token?grant_type=refresh_token`,
      ).body,
    ).toEqual({
      code: 40106,
      message: 'Refresh token is invalid',
    })
    // The API key, directly with its secret as the Basic username (the seed's intro).
    expect(curl('-u', 'demo-secret:', `${u}/api/v1/account`).body).toMatchObject({
      id: '811affc1-66c7-4982-b39e-29f9536b4720',
      is_verified: true,
    })
    expect(
      curl('-X', 'POST', '-u', 'jack.truong@example.com:wrong', `${u}/oauth/token?grant_type=password`),
    ).toEqual({
      status: 403,
      body: { code: 40102, message: 'Username and password are incorrect' },
    })
  })

  it('keeps refresh tokens across a restart (they live in the store, as hashes)', async () => {
    const g = curl('-X', 'POST', '-u', 'demo-key:demo-secret', `${srv!.url}/oauth/token?grant_type=password`)
    srv!.child.kill('SIGTERM')
    expect(await srv!.exited).toBe(0)
    srv = await startServer({}, srv!.dataDir)
    const r = curl(
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ refresh_token: g.body.refresh_token }),
      `${srv.url}/oauth/token?grant_type=refresh_token`,
    )
    expect(r.status).toBe(200)
    expect(r.body.Scope).toEqual(['standard'])
  })
})
