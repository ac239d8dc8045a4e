import { buildXml, prepareXml, xmlSlot } from '@mailfront/core'

/**
 * Every element of the AuthSMTP XML objects, in document order, with its 0-based line and status.
 * Reconstructed names can be corrected here, in one place. Sources: reference/authsmtp.md.
 */
export const WIRE_TABLE = [
  {
    object: 'basic_user',
    element: 'version',
    line: 3,
    status: 'reconstructed',
    source: 'style of the version field the seed describes',
  },
  { object: 'basic_user', element: 'user_id', line: 4, status: 'reconstructed', source: 'guess' },
  {
    object: 'basic_user',
    element: 'current_datetime',
    line: 5,
    status: 'doc field, reconstructed position',
    source: 'seed',
  },
  {
    object: 'basic_user',
    element: 'next_reset',
    line: 6,
    status: 'doc field, reconstructed position',
    source: 'seed',
  },
  {
    object: 'basic_user',
    element: 'messages_limit',
    line: 7,
    status: 'verified',
    source: 'wbs-monitoring authsmtp.rs + check_authsmtp.rs',
  },
  { object: 'basic_user', element: 'data_limit', line: 8, status: 'verified', source: 'wbs-monitoring' },
  { object: 'basic_user', element: 'messages_sent', line: 9, status: 'verified', source: 'wbs-monitoring' },
  { object: 'basic_user', element: 'data_sent', line: 10, status: 'verified', source: 'wbs-monitoring' },
  {
    object: 'basic_user',
    element: 'messages_remaining',
    line: 11,
    status: 'reconstructed',
    source: 'seed says remaining quotas are included',
  },
  {
    object: 'basic_user',
    element: 'data_remaining',
    line: 12,
    status: 'reconstructed',
    source: 'seed says remaining quotas are included',
  },
  {
    object: 'basic_user',
    element: 'max_message_size',
    line: 13,
    status: 'reconstructed',
    source: 'seed names maximum message size as a quantity',
  },
  {
    object: 'basic_user',
    element: 'from_addresses_limit',
    line: 14,
    status: 'verified line, reconstructed name',
    source: 'check_authsmtp.rs',
  },
  {
    object: 'basic_user',
    element: 'from_addresses_used',
    line: 15,
    status: 'verified line, reconstructed name',
    source: 'check_authsmtp.rs',
  },
  {
    object: 'ip_allocation',
    element: 'version',
    line: 3,
    status: 'reconstructed',
    source: 'seed: function version',
  },
  { object: 'ip_allocation', element: 'user_id', line: 4, status: 'reconstructed', source: 'guess' },
  {
    object: 'ip_allocation',
    element: 'ip_address',
    line: 5,
    status: 'reconstructed (one per address)',
    source: 'seed: list of IPs',
  },
  {
    object: 'error',
    element: 'version',
    line: 3,
    status: 'reconstructed',
    source: 'seed: v1.00 error object',
  },
  { object: 'error', element: 'code', line: 4, status: 'reconstructed', source: 'guess' },
  { object: 'error', element: 'message', line: 5, status: 'reconstructed', source: 'guess' },
] as const

export const OBJECT_VERSIONS = { basic_user: '1.01', ip_allocation: '1.00', error: '1.00' } as const

/** Application error codes of the XML error object (reconstructed). */
export const XML_ERROR_CODES = {
  RATE_LIMITED: { code: 1, message: 'Rate limit exceeded: no more than 1 API request every 20 seconds' },
  LOGIN_THROTTLED: { code: 1, message: 'Rate limit exceeded: too many failed logins, try again later' },
  NO_IP_ADDRESSES: { code: 2, message: 'No IP addresses are allocated to this account' },
  HTTPS_REQUIRED: { code: 9, message: 'The API can only be accessed over HTTPS' },
  OTHER: { code: 9, message: 'Application error' },
  SERVICE_UNAVAILABLE: { code: 9, message: 'Service temporarily unavailable, try again later' },
} as const

function elementsOf(object: keyof typeof OBJECT_VERSIONS) {
  return WIRE_TABLE.filter((r) => r.object === object).map((r) => r.element)
}

const BASIC_USER = elementsOf('basic_user')

export interface BasicUserValues {
  user_id: string
  current_datetime: string
  next_reset: string
  messages_limit: bigint
  data_limit: bigint
  messages_sent: bigint
  data_sent: bigint
  max_message_size: bigint
  from_addresses_limit: bigint
  from_addresses_used: bigint
}

const max0 = (x: bigint) => (x > 0n ? x : 0n)

export function basicUserXml(v: BasicUserValues): string {
  const all: Record<string, string | bigint> = {
    ...v,
    version: OBJECT_VERSIONS.basic_user,
    messages_remaining: max0(v.messages_limit - v.messages_sent),
    data_remaining: max0(v.data_limit - v.data_sent),
  }
  return renderBasicUser(all)
}

// The shape is fixed by the wire table: built once by fast-xml-parser, then filled per response.
const renderBasicUser = prepareXml({
  result: { basic_user: Object.fromEntries(BASIC_USER.map((name) => [name, xmlSlot(name)])) },
})

export function ipAllocationXml(userId: string, ips: string[]): string {
  return buildXml({
    result: { ip_allocation: { version: OBJECT_VERSIONS.ip_allocation, user_id: userId, ip_address: ips } },
  })
}

export function errorXml(code: number, message: string): string {
  return buildXml({ result: { error: { version: OBJECT_VERSIONS.error, code, message } } })
}
