/**
 * What `npm start` prints when it loads the demo data (matches fixtures/demo.json). `{curl}` is
 * `curl -k` over a self-signed certificate and `curl` otherwise; `{url}` is the address it listens on.
 */
export const DEMO_CREDENTIALS: Record<string, string[]> = {
  authsmtp: [
    '{curl} -u aa12345:demo-api-password {url}/restful/basic_user/aa12345',
    '  also aa99999 / demo-api-password-2 (64-bit quantities, no dedicated IP)',
  ],
  smtpd: [
    '{curl} -X POST -u jack.truong@example.com:demo-password "{url}/oauth/token?grant_type=password"',
    '  or with the API key (role standard): its secret as the Basic username, no password:',
    '  {curl} -u demo-secret: {url}/api/v1/account',
  ],
  tmail: ['{curl} -u admin:admin {url}/users/toorop@tmail.io'],
  mailboxorg: [
    `{curl} -d '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}' {url}/v1/`,
    '  also demo_reseller / demo-reseller-pass, demo_admin / demo-admin-pass',
  ],
}

/** The demo lines for one plugin, for the scheme, certificate and address the server really uses. */
export function demoLines(pluginId: string, url: string, selfSigned: boolean): string[] {
  const curl = selfSigned ? 'curl -k' : 'curl'
  return (DEMO_CREDENTIALS[pluginId] ?? []).map((l) => l.replaceAll('{curl}', curl).replaceAll('{url}', url))
}
