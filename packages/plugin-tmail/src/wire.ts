/**
 * The tmail wire format in one place. `source` says where each detail comes from: the seed (French
 * docs), the reference (toorop/tmail source), or reconstructed by us (no public source has it).
 */
export const WIRE_TABLE = [
  { item: 'Content-Type of every JSON body', value: 'application/json; charset=UTF-8', source: 'seed' },
  { item: 'GET /ping body', value: '{"msg": "pong"}', source: 'reference' },
  { item: 'error body', value: '{"msg":"…","raw":"…"} compact, msg first', source: 'seed' },
  {
    item: '401 challenge (no Authorization header only)',
    value: 'Basic realm="tmail REST server"',
    source: 'reference (quoted here, see README)',
  },
  {
    item: '401 body',
    value: '{"msg":"Unauthorized","raw":""}',
    source: 'reconstructed (original: text "Unauthorized")',
  },
  {
    item: '404 body for an unknown path',
    value: '{"msg":"404 page not found","raw":""}',
    source: 'reconstructed (original: Go text)',
  },
  {
    item: '405 body, with Allow',
    value: '{"msg":"Method Not Allowed","raw":""}',
    source: 'reconstructed (original: Go text)',
  },
  {
    item: 'user keys',
    value: 'Id Login Passwd DovePasswd Active AuthRelay HaveMailbox IsCatchall MailboxQuota Home',
    source: 'reference',
  },
  {
    item: 'queue message keys',
    value:
      'Id Uuid MailFrom AuthUser RcptTo MessageId Host LastUpdate AddedAt NextDeliveryScheduledAt Status DeliveryFailedCount',
    source: 'reference',
  },
  {
    item: 'times',
    value: "RFC 3339 with the server's offset, fraction without trailing zeros (Go RFC3339Nano)",
    source: 'reference',
  },
  { item: 'duplicate login raw', value: 'UNIQUE constraint failed: users.login', source: 'seed' },
  {
    item: 'bad queue id raw',
    value: 'strconv.ParseInt: parsing "<id>": invalid syntax | value out of range',
    source: 'reference',
  },
  {
    item: 'bad JSON type raw',
    value: 'json: cannot unmarshal <json type> into Go struct field .<Field> of type <go type>',
    source: 'reference (inferred wording)',
  },
  {
    item: 'bounce message',
    value: 'MailFrom "", AuthUser "", to the original MailFrom, Message-ID <40 hex>@localhost',
    source: 'reconstructed',
  },
] as const

export const JSON_TYPE = 'application/json; charset=UTF-8'
export const PONG = '{"msg": "pong"}'

export interface UserWire {
  Id: number
  Login: string
  Passwd: string
  DovePasswd: string
  Active: string
  AuthRelay: boolean
  HaveMailbox: boolean
  IsCatchall: boolean
  MailboxQuota: string
  Home: string
}

export interface MessageWire {
  Id: number
  Uuid: string
  MailFrom: string
  AuthUser: string
  RcptTo: string
  MessageId: string
  Host: string
  LastUpdate: string
  AddedAt: string
  NextDeliveryScheduledAt: string
  Status: number
  DeliveryFailedCount: number
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g
const HAS_HTML_UNSAFE = /[<>&\u2028\u2029]/
const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

/** JSON as Go's encoding/json writes it: compact, with <, > and & escaped. Key order is the object's. */
export function goJson(value: unknown): string {
  const s = JSON.stringify(value)
  return HAS_HTML_UNSAFE.test(s) ? s.replace(HTML_UNSAFE, (ch) => ESCAPES[ch]!) : s
}

export const errorBody = (msg: string, raw = '') => goJson({ msg, raw })
