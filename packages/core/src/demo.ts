/** What a plugin brings to a server's demo: data for a first start, and how to try it. */
export interface PluginDemo<T = unknown> {
  /** The plugin's section of the demo data: valid input to its fixtures' `load` (clear passwords are hashed). */
  data: T
  /**
   * Commands that try the demo, printed after a start with demo data: `{curl}` is `curl -k` over a
   * self-signed certificate and `curl` otherwise, `{url}` the address the server listens on.
   */
  try?: string[]
  /** A login the demo data creates on the SMTP submission port. */
  smtpLogin?: { user: string; pass: string; from: string }
}

/** Type-check a plugin's demo (its `demo.ts`). */
export function defineDemo<T>(demo: PluginDemo<T>): PluginDemo<T> {
  return demo
}

/** A demo's try lines for the scheme, certificate and address a server really uses. */
export function tryDemo(demo: PluginDemo | undefined, url: string, selfSigned: boolean): string[] {
  const curl = selfSigned ? 'curl -k' : 'curl'
  return (demo?.try ?? []).map((l) => l.replaceAll('{curl}', curl).replaceAll('{url}', url))
}
