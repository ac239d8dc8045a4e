/** MAILFRONT_HOSTNAME with the runtime's host added (names given with withSettings are kept). */
export function certificateHostnames(given: string | undefined, host: string): string {
  const names = (given ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean)
  // An IPv6 host may come bracketed; the certificate takes the bare address.
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (!names.includes(bare)) names.push(bare)
  return names.join(',')
}
