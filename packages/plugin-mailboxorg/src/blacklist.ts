/**
 * Does a mailbox's blacklist list this envelope sender? An entry is an address (`spam@example.com`),
 * a whole domain (`example.com`, `@example.com`, `*@example.com`), or a pattern with `*` wildcards
 * (`*@*.example.com`). Case-insensitive. The null sender (bounces) is never listed.
 */
export function blacklisted(list: readonly string[], sender: string): string | undefined {
  const from = sender.trim().toLowerCase()
  if (!from) return undefined
  const domain = from.slice(from.lastIndexOf('@') + 1)
  return list.find((raw) => {
    const entry = raw.trim().toLowerCase()
    if (!entry) return false
    if (!entry.includes('@')) return matches(entry, domain)
    if (entry.startsWith('@')) return matches(entry.slice(1), domain)
    return matches(entry, from)
  })
}

function matches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value
  const re = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${re.join('.*')}$`).test(value)
}
