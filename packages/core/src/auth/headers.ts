export interface BasicCredentials {
  username: string
  password: string
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Parse `Authorization: Basic …`. Never throws; null for anything malformed. */
export function parseBasic(header: string | null | undefined): BasicCredentials | null {
  if (!header) return null
  const sp = header.indexOf(' ')
  if (sp < 0 || header.slice(0, sp).toLowerCase() !== 'basic') return null
  const b64 = header.slice(sp + 1).trim()
  if (b64.length === 0 || b64.length % 4 !== 0 || !B64.test(b64)) return null
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'))
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** Parse `Authorization: Bearer <token>`. Never throws. */
export function parseBearer(header: string | null | undefined): string | null {
  if (!header) return null
  const sp = header.indexOf(' ')
  if (sp < 0 || header.slice(0, sp).toLowerCase() !== 'bearer') return null
  const token = header.slice(sp + 1).trim()
  return token.length > 0 && !/\s/.test(token) ? token : null
}

export function encodeBasic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
}
