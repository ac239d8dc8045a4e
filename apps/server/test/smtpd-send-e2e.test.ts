import { dkimVerify } from 'mailauth/lib/dkim/verify'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, goDecode, goRequest } from './go-http.ts'
import { type ServerProcess, startServer } from './server-process.ts'

// SMTPD part 2 end to end: the real server (TLS, SQLite, the real mail pipeline), replaying request
// for request what the official Go client (smtpd-dev/smtpd-go: auth.go, sending_profile.go,
// send.go, smtpd.go) and the terraform provider's sdk (sdk/client.go, sdk/profile.go) send, and
// decoding the answers as their Go structs do.

type Srv = ServerProcess & { dataDir: string }
const servers: Srv[] = []
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL')
})

const JSON_CT = { 'Content-Type': 'application/json' }
const SENDING_PROFILE = {
  profile_id: '',
  profile_name: '',
  sending_domain: '',
  link_domain: '',
  link_domain_default_redirect: '',
  bounce_domain: '',
  state: '',
  created_at_utc: 0,
  modified_at_utc: 0,
}

/** smtpd-go's Client: Basic key:secret once (no body), then `baseHeaders()` on every call. */
function officialClient(base: string, key: string, secret: string) {
  let accessToken = ''
  const baseHeaders = () => ({
    'User-Agent': 'smtpd-go/0.1',
    ...JSON_CT,
    Authorization: `Bearer ${accessToken}`,
  })
  const preFlight = async () => {
    if (accessToken) return
    const r = await goRequest(base, {
      method: 'POST',
      path: '/oauth/token?grant_type=password',
      headers: { ...JSON_CT, Authorization: basic(key, secret) },
      body: null,
    })
    expect(r.status).toBe(200)
    accessToken = r.json().access_token
  }
  const call = async (method: 'GET' | 'POST', path: string, want: number, body?: unknown) => {
    await preFlight()
    const r = await goRequest(base, {
      method,
      path,
      headers: baseHeaders(),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    // `if statusCode != http.StatusAccepted/OK { return result, c.parseAPIError(body) }`
    if (r.status !== want) throw new Error(`status ${r.status}: ${r.text}`)
    return r.json()
  }
  return {
    CreateProfile: async (p: object) =>
      goDecode(await call('POST', '/api/v1/email/profile', 202, p), SENDING_PROFILE),
    GetProfileByID: async (id: string) =>
      goDecode(await call('GET', `/api/v1/email/profile/${id}/setup`, 200), SENDING_PROFILE),
    GetAllProfiles: async () =>
      ((await call('GET', '/api/v1/email/profile', 200)) as unknown[]).map((p) =>
        goDecode(p, SENDING_PROFILE),
      ),
    /** Its request, answered; the status it checks (202) is the one thing that differs: see the README. */
    GetProfileByNameRequest: async (name: string) => {
      await preFlight()
      const r = await goRequest(base, {
        method: 'GET',
        path: '/api/v1/email/profile',
        headers: baseHeaders(),
      })
      const found = (r.json() as unknown[])
        .map((p) => goDecode(p, SENDING_PROFILE))
        .find((p) => p.profile_name === name)
      return { status: r.status, found }
    },
    SendBasic: async (m: object) =>
      goDecode(await call('POST', '/api/v1/email/send', 202, m), {
        send_id: '',
        send_key: '',
        sending_profile_id: '',
        from_email_address: '',
        from_name: '',
        recipient_email_address: '',
        recipient_name: '',
        subject: '',
        open_tracking: false,
        click_tracking: false,
        tags: null as string[] | null,
        state: '',
        state_category: '',
        error: '',
        created_at_utc: 0,
        modified_at_utc: 0,
      }),
  }
}

/** The terraform sdk's Client (2024): Basic auth with no body and no Content-Type, then doRequest. */
async function terraformClient(base: string, key: string, secret: string, family: string) {
  const login = await goRequest(base, {
    method: 'POST',
    path: '/oauth/token?grant_type=password',
    headers: { Authorization: basic(key, secret) },
  })
  expect(login.status).toBe(200)
  const token = goDecode(login.json(), {
    token_type: '',
    access_token: '',
    expires_at: 0,
    scope: [] as string[],
  })
  expect(token.scope).toEqual(['iac'])
  const doRequest = async (method: 'GET' | 'POST', path: string, body?: string) => {
    const r = await goRequest(base, {
      method,
      path,
      headers: { Authorization: `Bearer ${token.access_token}`, ...JSON_CT },
      ...(body === undefined ? {} : { body }),
    })
    if (r.status !== 202 && r.status !== 200) throw new Error(`status ${r.status}: ${r.text}`)
    return r.json()
  }
  const PROFILE = {
    ...SENDING_PROFILE,
    dns_records: [] as { name: string; type: string; value: string; validation_state: string }[],
  }
  return {
    // ConvertToJSON marshals the CreateProfile struct, in its field order.
    CreateProfile: async (p: {
      profile_name: string
      bounce_domain: string
      link_domain: string
      sending_domain: string
      link_domain_default_redirect: string
    }) =>
      goDecode(
        await doRequest(
          'POST',
          family,
          `{"profile_name":${JSON.stringify(p.profile_name)},"bounce_domain":${JSON.stringify(p.bounce_domain)},"link_domain":${JSON.stringify(p.link_domain)},"sending_domain":${JSON.stringify(p.sending_domain)},"link_domain_default_redirect":${JSON.stringify(p.link_domain_default_redirect)}}`,
        ),
        PROFILE,
      ),
    GetProfile: async (id: string) => goDecode(await doRequest('GET', `${family}/${id}/setup`), PROFILE),
    GetProfileByName: async (name: string) => {
      const all = ((await doRequest('GET', family)) as unknown[]).map((p) => goDecode(p, PROFILE))
      const p = all.find((x) => x.profile_name === name)
      if (!p) throw new Error(`Profile ${name} not found`)
      return p
    },
  }
}

/** A plain JSON call as an operator would make it (verify, lookups). */
async function api(
  base: string,
  token: string,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
) {
  const r = await goRequest(base, {
    method,
    path,
    headers: { Authorization: `Bearer ${token}`, ...JSON_CT },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return {
    status: r.status,
    body: /^[[{]/.test(r.text) ? r.json() : r.text,
  }
}
async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}
async function ownerToken(base: string) {
  const r = await goRequest(base, {
    method: 'POST',
    path: '/oauth/token?grant_type=password',
    headers: { Authorization: basic('jack.truong@example.com', 'demo-password') },
  })
  return r.json().access_token as string
}
async function activate(base: string, token: string, id: string) {
  expect((await api(base, token, 'PUT', `/api/v1/profile/email/${id}/verify`)).status).toBe(202)
  const p = await poll(
    () => api(base, token, 'GET', `/api/v1/profile/email/${id}`),
    (r) => r.body.state === 'active',
    1000,
  )
  expect(p.body.state).toBe('active')
}

const GO_PROFILE = {
  profile_name: 'go-client',
  sending_domain: 'go.example.com',
  link_domain: 'links.go.example.com',
  link_domain_default_redirect: 'https://go.example.com/',
  bounce_domain: 'bounce.go.example.com',
}
const GO_SEND = {
  recipient_email_address: 'jane@example.org',
  recipient_name: 'Jane Doe',
  from_email_address: 'hello@go.example.com',
  from_name: 'Go Example',
  reply_to: 'support@go.example.com',
  subject: 'Welcome aboard',
  content_html:
    '<html><body><p>Hi Jane, <a href="https://go.example.com/start?x=1&amp;y=2">start here</a>.</p></body></html>',
  content_text: 'Hi Jane, start here: https://go.example.com/start',
  open_tracking: true,
  click_tracking: true,
  tags: null,
}

describe('the official Go client and the terraform sdk against the real server, capture mode', () => {
  let srv: Srv
  beforeAll(async () => {
    srv = await startServer({ MAILFRONT_MAIL_DELIVERY: 'capture' })
    servers.push(srv)
  }, 40_000)

  it('every function of smtpd-go: profiles, then a send that ends delivered, DKIM-signed, in the captured mail', async () => {
    const base = srv.url
    const owner = await ownerToken(base)
    const go = officialClient(base, 'jack.truong@example.com', 'demo-password')

    const created = await go.CreateProfile(GO_PROFILE)
    expect(created).toMatchObject({ profile_name: 'go-client', state: 'creating' })
    expect(created.profile_id).toMatch(/^[0-9a-f-]{36}$/)
    const byId = await go.GetProfileByID(created.profile_id)
    expect(byId).toMatchObject({ ...GO_PROFILE, profile_id: created.profile_id, state: 'pending' })
    const all = await go.GetAllProfiles()
    expect(all.map((p) => p.profile_name)).toContain('go-client')
    const byName = await go.GetProfileByNameRequest('go-client')
    expect(byName.status).toBe(200)
    expect(byName.found).toMatchObject({ profile_id: created.profile_id, state: 'pending' })

    // The client has no verify; the documented PUT does it (DNS check off: active within a second).
    await activate(base, owner, created.profile_id)

    // SendBasic with the demo API key (role standard: it may send).
    const sender = officialClient(base, 'demo-key', 'demo-secret')
    const sent = await sender.SendBasic(GO_SEND)
    expect(sent).toMatchObject({
      sending_profile_id: created.profile_id,
      from_email_address: 'hello@go.example.com',
      from_name: 'Go Example',
      recipient_email_address: 'jane@example.org',
      recipient_name: 'Jane Doe',
      subject: 'Welcome aboard',
      open_tracking: true,
      click_tracking: true,
      tags: [],
      state: 'accepted',
      state_category: 'accepted',
      error: '',
    })
    const done = await poll(
      () => api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}`),
      (r) => r.body.state === 'delivered',
    )
    expect(done.body).toMatchObject({ state: 'delivered', state_category: 'delivered' })
    const events = await api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}/events`)
    expect(events.body.map((e: { type: string }) => e.type)).toEqual([
      'accepted',
      'processed',
      'sent',
      'delivered',
    ])

    // The captured message, through the captured-mail API.
    const list = await goRequest(base, {
      method: 'GET',
      path: '/_mailfront/messages?plugin=smtpd&subject=Welcome',
    })
    const msg = list.json().messages[0]
    expect(msg).toMatchObject({
      envelope: { from: `bounce+${sent.send_key}@bounce.go.example.com`, to: ['jane@example.org'] },
      subject: 'Welcome aboard',
      via: 'api',
    })
    expect(msg.recipients[0]).toMatchObject({ state: 'delivered' })
    const raw = Buffer.from(
      (await goRequest(base, { method: 'GET', path: `/_mailfront/messages/${msg.id}/raw` })).text,
    )
    const setup = await api(base, owner, 'GET', `/api/v1/profile/email/${created.profile_id}/setup`)
    const resolver = async (name: string, type: string) => {
      const r = setup.body.dns_records.find(
        (x: { name: string; type: string }) => x.name === name.toLowerCase() && x.type === type,
      )
      if (!r) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
      return [[r.value]]
    }
    const dkim = await dkimVerify(raw, { resolver })
    expect(dkim.results).toHaveLength(1)
    expect(dkim.results[0]).toMatchObject({ signingDomain: 'go.example.com', status: { result: 'pass' } })

    // Tracking: the links and the pixel point to the link domain; mailfront serves them.
    const text = raw.toString()
    const unfolded = text.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
    const click = /https:\/\/links\.go\.example\.com(\/t\/c\/[A-Za-z0-9_.-]+)/.exec(unfolded)?.[1]
    const open = /https:\/\/links\.go\.example\.com(\/t\/o\/[A-Za-z0-9_.-]+)/.exec(unfolded)?.[1]
    expect(click && open).toBeTruthy()
    const c = await fetchNoFollow(base, click!)
    expect(c).toMatchObject({ status: 302, location: 'https://go.example.com/start?x=1&y=2' })
    const o = await goRequest(base, {
      method: 'GET',
      path: open!,
      headers: { 'User-Agent': 'Mozilla/5.0 (iPhone) Mobile' },
    })
    expect(o.status).toBe(200)
    const after = await api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}/events`)
    expect(after.body.map((e: { type: string }) => e.type).slice(-2)).toEqual(['click', 'open'])
    const content = await api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}/content/text`)
    expect(content.body).toBe(GO_SEND.content_text)
  }, 60_000)

  it('the send `npm start` prints works as printed (the demo profile, the key secret directly)', async () => {
    const r = await goRequest(srv.url, {
      method: 'POST',
      path: '/api/v1/email/send',
      headers: { Authorization: basic('demo-secret', ''), ...JSON_CT },
      body: '{"from_email_address":"jack.truong@example.com","recipient_email_address":"you@example.org","subject":"Hello","content_text":"Hi"}',
    })
    expect(r.status).toBe(202)
    const owner = await ownerToken(srv.url)
    const done = await poll(
      () => api(srv.url, owner, 'GET', `/api/v1/email/send/${r.json().send_id}`),
      (x) => x.body.state === 'delivered',
    )
    expect(done.body).toMatchObject({
      state: 'delivered',
      sending_profile_id: '4f0c2b7e-8a61-4d5e-9b1a-3c7d2e9f6a10',
    })
  }, 30_000)

  for (const family of ['/api/v1/email/profile', '/api/v1/profile/email'])
    it(`every profile call of the terraform sdk on ${family}`, async () => {
      const base = srv.url
      const owner = await ownerToken(base)
      const key = await api(base, owner, 'POST', '/api/v1/account/api_key', {
        role: 'iac',
        name: `terraform ${family}`,
      })
      expect(key.status).toBe(201)
      const tf = await terraformClient(base, key.body.Key, key.body.Secret, family)
      const name = `tf${family.replaceAll('/', '-')}`
      // resourceProfileCreate: GetProfileByName first (absent), then CreateProfile, then Read (GetProfile).
      await expect(tf.GetProfileByName(name)).rejects.toThrow(`Profile ${name} not found`)
      const created = await tf.CreateProfile({
        profile_name: name,
        bounce_domain: `bounce.${name}.example.com`,
        link_domain: `links.${name}.example.com`,
        sending_domain: `${name}.example.com`,
        link_domain_default_redirect: 'https://example.com/',
      })
      expect(created).toMatchObject({ profile_name: name, state: 'creating' })
      const read = await tf.GetProfile(created.profile_id)
      expect(read).toMatchObject({ profile_id: created.profile_id, profile_name: name, state: 'pending' })
      expect(read.dns_records.map((r) => r.type)).toEqual(['TXT', 'TXT', 'CNAME', 'CNAME'])
      expect(read.dns_records[0]!.name).toMatch(
        new RegExp(`^[a-z0-9]{27}\\._domainkey\\.${name}\\.example\\.com$`),
      )
      // dataSourceProfileRead: by name, then its setup.
      const byName = await tf.GetProfileByName(name)
      expect(byName).toMatchObject({ profile_id: created.profile_id, sending_domain: `${name}.example.com` })
    }, 30_000)
})

describe('relay mode: a send to an SMTP sink that answers 550 ends bounced, with the event', () => {
  let sink: SMTPServer
  let srv: Srv
  const seen: string[] = []
  beforeAll(async () => {
    sink = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onRcptTo(address, _session, cb) {
        seen.push(address.address)
        cb(
          Object.assign(new Error('5.1.1 <nobody@example.org>: Recipient address rejected: User unknown'), {
            responseCode: 550,
          }),
        )
      },
    })
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()))
    const port = (sink.server.address() as { port: number }).port
    srv = await startServer({
      MAILFRONT_MAIL_DELIVERY: 'relay',
      MAILFRONT_MAIL_RELAY_URL: `smtp://127.0.0.1:${port}`,
      MAILFRONT_MAIL_RETRY_S: '0.2',
    })
    servers.push(srv)
  }, 40_000)
  afterAll(() => new Promise<void>((r) => sink.close(() => r())))

  it('bounced, with the 550 reply as the reason and the event', async () => {
    const base = srv.url
    const owner = await ownerToken(base)
    const go = officialClient(base, 'jack.truong@example.com', 'demo-password')
    const p = await go.CreateProfile(GO_PROFILE)
    await activate(base, owner, p.profile_id)
    const sent = await officialClient(base, 'demo-key', 'demo-secret').SendBasic({
      ...GO_SEND,
      recipient_email_address: 'nobody@example.org',
    })
    expect(sent.state).toBe('accepted')
    const done = await poll(
      () => api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}`),
      (r) => r.body.state === 'bounced',
    )
    expect(done.body).toMatchObject({ state: 'bounced', state_category: 'bounced' })
    expect(done.body.error).toMatch(/550.*User unknown/)
    expect(seen).toContain('nobody@example.org')
    const events = await api(base, owner, 'GET', `/api/v1/email/send/${sent.send_id}/events`)
    const bounced = events.body.find((e: { type: string }) => e.type === 'bounced')
    expect(bounced.detail).toMatch(/550.*User unknown/)
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['accepted', 'processed', 'bounced'])
    const summary = await api(base, owner, 'GET', '/api/v1/analysis/bounce/summary')
    expect(summary.body).toMatchObject({ total: 1, group_by: { '550': 1 } })
  }, 60_000)
})

async function fetchNoFollow(base: string, path: string) {
  const r = await import('node:https').then(
    (https) =>
      new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        https
          .get(new URL(path, base), { rejectUnauthorized: false }, (res) => {
            res.resume()
            resolve({ status: res.statusCode!, location: res.headers.location })
          })
          .on('error', reject)
      }),
  )
  return r
}
