import { request } from 'node:https'

/**
 * One request as Go's net/http sends it (the official client and the terraform sdk are Go): the
 * headers the client code sets, plus what Go's transport adds (`User-Agent: Go-http-client/1.1`
 * when none is set, `Content-Length` for a POST/PUT body, even an empty one, `Accept-Encoding:
 * gzip`). TLS is the server's self-signed certificate, so verification is off for this client.
 */
export function goRequest(
  base: string,
  r: { method: 'GET' | 'POST' | 'PUT'; path: string; headers?: Record<string, string>; body?: string | null },
): Promise<{ status: number; text: string; json: () => any }> {
  const body = r.body === undefined || r.body === null ? (r.method === 'GET' ? null : '') : r.body
  const headers: Record<string, string> = {
    'User-Agent': 'Go-http-client/1.1',
    ...(body === null ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
    ...r.headers,
    'Accept-Encoding': 'gzip',
  }
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(r.path, base),
      { method: r.method, headers, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({ status: res.statusCode!, text, json: () => JSON.parse(text) })
        })
      },
    )
    req.on('error', reject)
    req.end(body ?? undefined)
  })
}

export const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

/**
 * Go's encoding/json decoding of an object into a struct: the struct's keys, matched
 * case-insensitively (as Go does), missing ones left at their zero value, unknown ones ignored.
 */
export function goDecode<T extends Record<string, unknown>>(v: unknown, zero: T): T {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`json: cannot unmarshal into struct: ${JSON.stringify(v)}`)
  const out: Record<string, unknown> = { ...zero }
  for (const key of Object.keys(zero)) {
    const hit = Object.keys(v).find((k) => k.toLowerCase() === key.toLowerCase())
    if (hit !== undefined) out[key] = (v as Record<string, unknown>)[hit]
  }
  return out as T
}
