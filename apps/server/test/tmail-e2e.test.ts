import { execSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { hasCurl, type ServerProcess, startServer } from './server-process.ts'

// Every curl example of the tmail seed, verbatim apart from the address, in an order that makes sense.
const SEED = {
  get: 'curl -v -u admin:admin -k https://127.0.0.1:8080/users/toorop@tmail.io',
  duplicate: `curl -H "Content-Type: application/json" -X POST -d '{"passwd":"motdepasse","authRelay":true,"haveMailbox":true,"mailboxQuota":"1G"}' -u admin:admin -k https://127.0.0.1:8080/users/toorop@tmail.io`,
  add: `curl -v -u admin:admin -k -H "Content-Type: application/json" -X POST -d '{"passwd": "mot de passe", "authRelay": true, "haveMailbox": true, "mailboxQuota": "1G"}' https://127.0.0.1:8080/users/test@tmail.io`,
  getTest: 'curl -v -u admin:admin -k https://127.0.0.1:8080/users/test@tmail.io',
  list: 'curl -v -u admin:admin -k https://127.0.0.1:8080/users',
  del: 'curl -v -u admin:admin -k  -X DELETE https://127.0.0.1:8080/users/test@tmail.io',
  queue: 'curl -v -u admin:admin -k https://127.0.0.1:8080/queue',
  message: 'curl -v -u admin:admin -k https://127.0.0.1:8080/queue/1',
  discard: 'curl -v -u admin:admin -X DELETE -k https://127.0.0.1:8080/queue/discard/1',
  bounce: 'curl -v -u admin:admin -X DELETE -k https://127.0.0.1:8080/queue/bounce/1',
}

// The seed's users and queue, as it prints them (the queue's old `Key` replaced by `LastUpdate`).
const TEXSET =
  '{"Id":4,"Login":"texset@tmail.io","Passwd":"$2a$10$rih8MngreLiYl6KzB72jVuufgtIHYFF08c4Q.GNIx2UObPOrL18QW","DovePasswd":"$6$ba3b4fb33607b031$5.FuzhmYBHK5fBIGSMamG7nv7G/OfHxGBuGPBkfSU0FiE6AvWAJIplz/RJP5AQoTFrKC.vYulBeKlKm/Ua7Gj.","Active":"Y","AuthRelay":false,"HaveMailbox":false,"IsCatchall":false,"MailboxQuota":"","Home":""}'
const TEXSDET =
  '{"Id":5,"Login":"texsdet@tmail.io","Passwd":"$2a$10$Lnvy5ViilsKwAKKLsxhrZOhlcZkW.gbDvffEpyEif6Fefc5NU0iOe","DovePasswd":"$6$8c69e981ea71fa91$WRbtGb6AnEKQo.wSRd2VecOkjiHKCr/SVK0ww.qqK/O.wAjLNUn6ztEpONycwFYwiLWU82rI52A8rLzqrNsE./","Active":"Y","AuthRelay":false,"HaveMailbox":false,"IsCatchall":false,"MailboxQuota":"","Home":""}'
const MSG1 =
  '{"Id":1,"Uuid":"5217dfdc96d7216d7074b329f88d11f76dee997b","MailFrom":"toorop@tmail.io","AuthUser":"toorop@tmail.io","RcptTo":"toorop@toorop.fr","MessageId":"5528C725.8060007@tmail.io","Host":"toorop.fr","LastUpdate":"2015-04-11T09:03:02.737629459+02:00","AddedAt":"2015-04-11T09:03:02.737629459+02:00","NextDeliveryScheduledAt":"2015-04-11T16:44:35.994411773+02:00","Status":2,"DeliveryFailedCount":0}'
const MSG2 =
  '{"Id":2,"Uuid":"bd36f47dab0e27482ce5db8605415e32978f0185","MailFrom":"toorop@tmail.io","AuthUser":"toorop@tmail.io","RcptTo":"stephane@protecmail.com","MessageId":"5529331C.3050308@tmail.io","Host":"protecmail.com","LastUpdate":"2015-04-11T16:43:41.965596115+02:00","AddedAt":"2015-04-11T16:43:41.965596115+02:00","NextDeliveryScheduledAt":"0001-01-01T00:09:21+00:09","Status":0,"DeliveryFailedCount":0}'

let srv: (ServerProcess & { dataDir: string }) | undefined

/** Run a seed command through the shell as written, pointed at our port; return status, headers, body. */
function run(cmd: string) {
  const line = `${cmd.replace('https://127.0.0.1:8080', srv!.url)} -s -D - --max-time 10`
  const out = execSync(line, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const split = out.indexOf('\r\n\r\n')
  const head = out.slice(0, split).split('\r\n')
  const headers = Object.fromEntries(
    head.slice(1).map((h) => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]),
  )
  return { status: Number(head[0]!.split(' ')[1]), headers, body: out.slice(split + 4) }
}

describe.skipIf(!hasCurl)('tmail end to end: every curl example of the seed (curl is required)', () => {
  afterAll(() => {
    srv?.child.kill('SIGKILL')
  })

  it('starts with the demo data (queue processor off for a deterministic walk)', async () => {
    srv = await startServer({ MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '0' })
    for (let i = 0; i < 50 && !srv.output().includes('admin:admin'); i++)
      await new Promise((r) => setTimeout(r, 50))
    expect(srv.output()).toContain('curl -k -u admin:admin https://127.0.0.1:')
    expect(srv.output()).not.toContain('no tmail admin credential')
  })

  it('authentication example: GET /users/toorop@tmail.io', () => {
    const r = run(SEED.get)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/json; charset=UTF-8')
    const u = JSON.parse(r.body)
    expect(u).toMatchObject({
      Id: 3,
      Login: 'toorop@tmail.io',
      AuthRelay: true,
      HaveMailbox: true,
      MailboxQuota: '1G',
    })
    expect(u.Home).toBe('/home/tmail/mailboxes/t/tmail.io/t/toorop')
  })

  it('error example: the duplicate user, byte for byte', () => {
    const r = run(SEED.duplicate)
    expect(r.status).toBe(422)
    expect(r.headers['content-type']).toBe('application/json; charset=UTF-8')
    expect(r.body).toBe('{"msg":"unable to create new user","raw":"UNIQUE constraint failed: users.login"}')
    expect(r.headers['content-length']).toBe('81')
  })

  it('adds, gets, lists and deletes test@tmail.io', () => {
    const add = run(SEED.add)
    expect(add.status).toBe(201)
    expect(add.body).toBe('')
    expect(add.headers.location).toBe(`${srv!.url}/users/test@tmail.io`)

    const get = run(SEED.getTest)
    expect(get.status).toBe(200)
    const u = JSON.parse(get.body)
    expect(Object.keys(u)).toEqual(Object.keys(JSON.parse(TEXSET)))
    expect(u).toMatchObject({
      Login: 'test@tmail.io',
      Active: 'Y',
      AuthRelay: true,
      HaveMailbox: true,
      MailboxQuota: '1G',
    })
    expect(u.Home).toBe('/home/tmail/mailboxes/t/tmail.io/t/test')
    expect(u.Passwd).toMatch(/^\$2a\$10\$/)
    expect(u.DovePasswd).toMatch(/^\$6\$[0-9a-f]{16}\$[./0-9A-Za-z]{86}$/)

    const list = run(SEED.list)
    expect(list.status).toBe(200)
    expect(list.body).toContain(`${TEXSET},${TEXSDET}`)
    expect(JSON.parse(list.body).map((x: { Login: string }) => x.Login)).toEqual([
      'toorop@tmail.io',
      'texset@tmail.io',
      'texsdet@tmail.io',
      'test@tmail.io',
    ])

    const del = run(SEED.del)
    expect(del.status).toBe(200)
    expect(del.body).toBe('')
    expect(run(SEED.getTest).status).toBe(404)
  })

  it('lists the queue and gets one message as the seed shows them', () => {
    const q = run(SEED.queue)
    expect(q.status).toBe(200)
    expect(q.body).toBe(`[${MSG1},${MSG2}]`)
    const m = run(SEED.message)
    expect(m.status).toBe(200)
    expect(m.body).toBe(MSG1)
  })

  it('discards, then bounces, message 1', () => {
    const d = run(SEED.discard)
    expect([d.status, d.body]).toEqual([200, ''])
    expect(JSON.parse(run(SEED.message).body).Status).toBe(1)
    const b = run(SEED.bounce)
    expect([b.status, b.body]).toEqual([200, ''])
    expect(JSON.parse(run(SEED.message).body).Status).toBe(3)
  })

  it('after a restart with the processor on, message 1 became a bounce to its sender', async () => {
    srv!.child.kill('SIGTERM')
    expect(await srv!.exited).toBe(0)
    srv = await startServer({ MAILFRONT_TMAIL_QUEUE_INTERVAL_S: '1' }, srv!.dataDir)
    let queue: { Id: number; MailFrom: string; RcptTo: string }[] = []
    for (let i = 0; i < 100; i++) {
      queue = JSON.parse(run(SEED.queue).body)
      if (!queue.some((m) => m.Id === 1)) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(queue.map((m) => m.Id)).toEqual([2, 3])
    expect(queue[1]).toMatchObject({ MailFrom: '', RcptTo: 'toorop@tmail.io', Status: 2 })
    expect(run(SEED.message).body).toBe('{"msg":"no such message 1","raw":""}')
  })
})
