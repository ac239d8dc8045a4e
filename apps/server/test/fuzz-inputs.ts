import { encodeBasic } from '@mailfront/core'
import fc from 'fast-check'

// The random input of the fuzz test (fuzz.test.ts): what a client can send to each route.

/** Put in secret positions (passwords, tokens, session ids) only: a response must never contain it. */
export const SECRET = 'S3cr3t-Mark-7f2a'

export interface Op {
  plugin: string
  method: string
  template: string
  bodyKeys: string[]
  queryKeys: string[]
}

/** Filled in by the test once the server is up: its routes, and credentials that work. */
export interface FuzzTargets {
  ops: Op[]
  rpcMethods: { name: string; params: string[] }[]
  valid: Record<string, Record<string, string>>
}

export function fuzzInputs(t: FuzzTargets) {
  // --- generators -----------------------------------------------------------------------------

  /** Strings a client can put anywhere: unicode, control characters, long, special, the secret. */
  const nasty = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((n) => String.fromCharCode(n)), maxLength: 10 }),
    fc.constantFrom(
      '',
      ' ',
      '..',
      '../..',
      '%00',
      '%',
      '\u0000',
      '\u202e',
      '😀',
      "' OR 1=1 --",
      '<x/>',
      '{{7*7}}',
      '$6$rounds=999999999$x$',
    ),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => 'a'.repeat(n)),
  )
  /** Secret positions (passwords, tokens, session ids) get the marker, and only they do. */
  const SECRET_KEYS = /^(password|passwd|pass|secret|refresh_token|password_hash|api_password|token)$/i
  const secretValue = fc.oneof(
    fc.constant(SECRET),
    fc.string({ maxLength: 8 }).map((s) => `${s}${SECRET}`),
  )
  /** Latin-1 only: what an HTTP header can carry (fetch refuses other characters before sending). */
  const headerText = fc.oneof(
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0xff }).map((n) => String.fromCharCode(n)),
      maxLength: 40,
    }),
    fc.integer({ min: 1000, max: 16_000 }).map((n) => 'h'.repeat(n)),
  )
  const jsonLeaf = fc.oneof(
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt().map((b) => Number(b)),
  )
  const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      jsonLeaf,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
    ),
  })).v

  const deep = fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
  const rawBody = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '{',
      '{"a":',
      '[1,2',
      'null',
      '""',
      '0',
      'true',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
    ),
    fc.constantFrom(
      '<?xml version="1.0"?><a>',
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
      '<a><b></a>',
    ),
    deep,
    fc.integer({ min: 10_000, max: 200_000 }).map((n) => `{"x":"${'y'.repeat(n)}"}`),
    jsonValue.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 50 }).map((s) => `a=${encodeURIComponent(s)}&password=${SECRET}`),
  )
  const objectBody = (keys: string[]) =>
    fc
      .record(
        Object.fromEntries(
          keys.map((k) => [k, SECRET_KEYS.test(k) ? fc.oneof(secretValue, jsonValue) : jsonValue]),
        ),
        {
          requiredKeys: [],
        },
      )
      .map((o) => JSON.stringify(o))

  const methodOf = (m: string) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(m) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'GET',
          'POST',
          'PUT',
          'DELETE',
          'PATCH',
          'OPTIONS',
          'HEAD',
          'PROPFIND',
          'get',
        ),
      },
    )

  /** Authorization variants: none, the valid one, broken, huge, latin-1, and Basic/Bearer with the secret. */
  const authFor = (plugin: string) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(t.valid[plugin] ?? {}) },
      { weight: 2, arbitrary: fc.constant({}) },
      { weight: 2, arbitrary: headerText.map((h) => ({ Authorization: h })) },
      {
        weight: 1,
        arbitrary: headerText.map((h) => ({
          Authorization: `Basic ${h}${Buffer.from(`:${SECRET}`).toString('base64')}`,
        })),
      },
      { weight: 2, arbitrary: headerText.map((h) => ({ Authorization: `Bearer ${h}${SECRET}` })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('Basic', 'Basic ', 'Basic ===', 'Basic Og==', 'Bearer', 'Bearer a.b.c', 'Digest x')
          .map((h) => ({ Authorization: h })),
      },
      // A well-formed Basic with a wrong secret costs a slow hash: rare, to keep the run short.
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('aa12345', 'admin', 'jack.truong@example.com', 'demo-key')
          .map((u) => ({ Authorization: encodeBasic(u, SECRET) })),
      },
      {
        weight: 1,
        arbitrary: headerText.map((h) => ({
          'HPLS-AUTH': `${h}${SECRET}`,
          Authentication: `Bearer ${SECRET}`,
        })),
      },
    )

  const extraHeaders = fc.dictionary(
    fc.constantFrom(
      'Content-Type',
      'Accept',
      'Accept-Language',
      'X-Forwarded-For',
      'X-Request-Id',
      'Host',
      'X-Custom',
      'Content-Encoding',
      'Transfer-Encoding',
    ),
    fc.oneof(
      headerText,
      fc.constantFrom(
        'application/json',
        'text/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'gzip',
        'de',
        '*/*',
      ),
    ),
    { maxKeys: 3 },
  )

  const segment = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'aa12345',
        'aa99999',
        'toorop@tmail.io',
        '1',
        '0',
        '-1',
        'demo-key',
        '19ab52c7-da60-4dd2-af27-19f17d6afe37',
      ),
    },
    { weight: 2, arbitrary: nasty.map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.constantFrom('%2e%2e', '%2F', '..', '%ff', '%E2%82', '%00', '9'.repeat(40)) },
  )

  // The routes are read in beforeAll: `chain` defers the choice until a run draws it.
  const restRequest = fc
    .constant(null)
    .chain(() => fc.constantFrom(...t.ops))
    .chain((op) =>
      fc.record({
        plugin: fc.constant(op.plugin),
        method: methodOf(op.method),
        path: fc
          .tuple(
            fc.array(segment, { minLength: 3, maxLength: 3 }),
            fc.oneof(
              { weight: 5, arbitrary: fc.constant('') },
              fc.constantFrom('/', '//', '/extra', '/%2e%2e/x'),
            ),
          )
          .map(([segs, tail]) => {
            let i = 0
            return op.template.replace(/\{[^}]+\}/g, () => segs[i++ % segs.length]!) + tail
          }),
        query: fc.dictionary(
          fc.oneof(
            fc.constantFrom(...op.queryKeys, 'grant_type', 'page', 'limit'),
            fc.string({ maxLength: 6 }),
          ),
          fc.oneof(
            fc.constantFrom('password', 'refresh_token', '-1', '1e309', '999999999999999999999'),
            nasty,
          ),
          { maxKeys: 3 },
        ),
        headers: fc.tuple(authFor(op.plugin), extraHeaders).map(([a, h]) => ({ ...h, ...a })),
        body: fc.oneof(
          { weight: 1, arbitrary: fc.constant(undefined) },
          { weight: 3, arbitrary: objectBody([...op.bodyKeys, 'password', 'Passwd', 'refresh_token']) },
          { weight: 2, arbitrary: rawBody },
        ),
      }),
    )

  const rpcCall = fc
    .constant(null)
    .chain(() => fc.constantFrom(...t.rpcMethods))
    .chain((m) =>
      fc.record(
        {
          jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, fc.constantFrom('1.0', 2, null)),
          method: fc.oneof({ weight: 8, arbitrary: fc.constant(m.name) }, nasty),
          params: fc.oneof(
            {
              weight: 6,
              arbitrary: fc.record(
                Object.fromEntries(
                  m.params.map((p) => [
                    p,
                    SECRET_KEYS.test(p) ? fc.oneof(secretValue, jsonValue) : jsonValue,
                  ]),
                ),
                { requiredKeys: [] },
              ),
            },
            fc.constantFrom('', null, [], {}, 7, 'x'),
          ),
          id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.constant({ a: 1 })),
        },
        { requiredKeys: ['method'] },
      ),
    )
  const rpcRequest = fc.record({
    plugin: fc.constant('mailboxorg'),
    method: methodOf('POST'),
    path: fc.constantFrom('/v1/', '/v1'),
    query: fc.constant({}),
    headers: fc.tuple(authFor('mailboxorg'), extraHeaders).map(([a, h]) => ({ ...h, ...a })),
    body: fc.oneof(
      { weight: 4, arbitrary: rpcCall.map((c) => JSON.stringify(c)) },
      { weight: 1, arbitrary: fc.array(rpcCall, { maxLength: 5 }).map((c) => JSON.stringify(c)) },
      { weight: 2, arbitrary: rawBody },
    ),
  })

  return { restRequest, rpcRequest, rawBody, segment, extraHeaders, methodOf }
}
