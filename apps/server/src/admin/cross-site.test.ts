// A web page the developer visits must not drive the local admin API: a cross-site "simple" request
// (text/plain or form body, no preflight) is refused, by its content type and by the browser's own
// Sec-Fetch-Site and Origin headers. The UI (same origin) and non-browser clients keep working.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runtime } from '../../test/demo-runtime.ts'
import type { Runtime } from '../runtime.ts'
import { crossSiteProblem } from './access.ts'

const FAULT = JSON.stringify({ plugin: 'smtp', stage: 'connect', reply: '421 4.3.2 down' })
const ID = 'a'.repeat(40)
/** Every admin route that reads a JSON body, with a body it would accept. */
const JSON_ROUTES: [string, string, string][] = [
  ['POST', '/_mailfront/faults', FAULT],
  ['POST', '/_mailfront/clock', '{"advance":"1d"}'],
  ['PUT', '/_mailfront/webhook', '{"url":"http://127.0.0.1:9/","secret":"a-webhook-secret-0123456789"}'],
  ['POST', `/_mailfront/messages/${ID}/release`, '{"to":["a@example.com"]}'],
  [
    'POST',
    '/_mailfront/fixtures',
    '{"tmail":{"users":[{"Login":"x@example.net","Passwd":"a-long-password"}]}}',
  ],
]

let rt: Runtime
beforeAll(async () => {
  rt = await runtime({ MAILFRONT_CLOCK: 'movable' })
})
afterAll(() => rt.close())
beforeEach(async () => {
  await rt.app.request('/_mailfront/faults', { method: 'DELETE' })
})

const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  rt.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) })
const error = async (res: Response) => ((await res.json()) as { error: string }).error
const faultsInForce = async () =>
  ((await (await rt.app.request('/_mailfront/faults')).json()) as { faults: unknown[] }).faults.length

describe('admin bodies: only Content-Type: application/json is read', () => {
  it('415 for text/plain, a form, a multipart form or no type, on every route with a JSON body', async () => {
    for (const [method, path, body] of JSON_ROUTES)
      for (const type of [
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonp',
        undefined,
      ]) {
        const res = await send(method, path, type ? { 'Content-Type': type } : {}, body)
        expect([method, path, type, res.status]).toEqual([method, path, type, 415])
        expect(await error(res)).toBe('the body must be sent with Content-Type: application/json')
      }
    expect(await faultsInForce()).toBe(0)
  })

  it('application/json, with a charset or in capitals, is read', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
    ]) {
      const res = await send('POST', '/_mailfront/faults', { 'Content-Type': type }, FAULT)
      expect([type, res.status]).toEqual([type, 201])
    }
    expect(await faultsInForce()).toBe(3)
  })

  it('a release with no body at all still needs no type (curl -X POST)', async () => {
    const res = await send('POST', `/_mailfront/messages/${ID}/release`, {})
    expect(res.status).not.toBe(415)
    expect(res.status).not.toBe(400)
  })
})

describe('admin changes from another site', () => {
  it("the review's probe (text/plain, Origin and Sec-Fetch-Site of another site) is refused and changes nothing", async () => {
    const res = await send(
      'POST',
      '/_mailfront/faults',
      { 'Content-Type': 'text/plain', Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      FAULT,
    )
    expect(res.status).toBe(403)
    expect(await error(res)).toBe(
      'cross-site request refused (Sec-Fetch-Site is cross-site): the admin API takes changes only from its own UI or a non-browser client',
    )
    expect(await faultsInForce()).toBe(0)
  })

  it('403 for every write with Sec-Fetch-Site cross-site or same-site, or a foreign Origin, even with a JSON body', async () => {
    const writes: [string, string, string?][] = [
      ...JSON_ROUTES,
      ['POST', '/_mailfront/reset'],
      ['DELETE', '/_mailfront/messages'],
      ['DELETE', '/_mailfront/faults'],
      ['DELETE', '/_mailfront/webhook'],
    ]
    const foreign: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'https://evil.example' },
      { Origin: 'http://localhost:8025' }, // another port is another origin
      { Origin: 'null' }, // a sandboxed frame or a file:// page
    ]
    for (const [method, path, body] of writes)
      for (const h of foreign) {
        const res = await send(method, path, { 'Content-Type': 'application/json', ...h }, body)
        expect([method, path, h, res.status]).toEqual([method, path, h, 403])
      }
    expect(await faultsInForce()).toBe(0)
  })

  it('the UI (same origin) and clients that are no browser get through; reads are never refused', async () => {
    const json = { 'Content-Type': 'application/json' }
    const clients: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'http://localhost' },
      { 'Sec-Fetch-Site': 'none' },
      { Origin: 'http://LOCALHOST' },
      {},
    ]
    for (const h of clients) {
      const res = await send('POST', '/_mailfront/faults', { ...json, ...h }, FAULT)
      expect([h, res.status]).toEqual([h, 201])
    }
    const read = await send('GET', '/_mailfront/faults', {
      Origin: 'https://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    })
    expect(read.status).toBe(200)
  })
})

describe('crossSiteProblem', () => {
  const h = (o: Record<string, string>) => new Headers(o)
  it('compares Origin with the host the request was sent to, port included', () => {
    const url = 'http://127.0.0.1:8025/_mailfront/reset'
    expect(crossSiteProblem('POST', url, h({ Origin: 'http://127.0.0.1:8025' }))).toBeUndefined()
    expect(crossSiteProblem('POST', url, h({ Origin: 'http://127.0.0.1:3000' }))).toBe(
      'Origin http://127.0.0.1:3000 is not this server',
    )
    expect(crossSiteProblem('POST', url, h({ Origin: 'not a url' }))).toBe(
      'Origin not a url is not this server',
    )
    for (const m of ['GET', 'HEAD', 'OPTIONS', 'get'])
      expect(crossSiteProblem(m, url, h({ 'Sec-Fetch-Site': 'cross-site' }))).toBeUndefined()
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH'])
      expect(crossSiteProblem(m, url, h({ 'Sec-Fetch-Site': 'cross-site' }))).toBe(
        'Sec-Fetch-Site is cross-site',
      )
  })
})
