/**
 * What to change when a listener cannot start: the listen address when it is not this machine's
 * (EADDRNOTAVAIL) or names no host at all (ENOTFOUND; EAI_AGAIN while DNS cannot say), else that
 * listener's port (EADDRINUSE, EACCES).
 */
export function listenHint(e: unknown, variable: string, flag: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  return code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
    ? ' (set another listen address: MAILFRONT_HOST or --host)'
    : ` (set another port: ${variable} or ${flag})`
}
