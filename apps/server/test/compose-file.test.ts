import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// compose.yaml is run by docker/podman compose, never here: its safety rules are checked as text.
const compose = readFileSync(new URL('../../../compose.yaml', import.meta.url), 'utf8')

describe('compose.yaml', () => {
  it('requires the admin token and the secret (no public fallback value)', () => {
    // `${NAME:?message}`: compose refuses to start while NAME is unset.
    for (const name of ['MAILFRONT_ADMIN_TOKEN', 'MAILFRONT_SECRET'])
      expect(compose).toContain(`${name}: $\{${name}:?set ${name}}`)
    expect(compose).not.toMatch(/\$\{MAILFRONT_(ADMIN_TOKEN|SECRET):?-/)
  })

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = [...compose.matchAll(/^\s*ports:\s*\[(.*)\]/gm)].flatMap((m) =>
      m[1]!.split(',').map((p) => p.trim().replace(/"/g, '')),
    )
    expect(ports).toHaveLength(4)
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
  })
})
