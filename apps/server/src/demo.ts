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
    '  or with the API key (role standard): its secret as the HTTP Basic user name, no password:',
    '  {curl} -u demo-secret: {url}/api/v1/account',
    `{curl} -u demo-secret: -H 'Content-Type: application/json' -d '{"from_email_address":"jack.truong@example.com","recipient_email_address":"you@example.org","subject":"Hello","content_text":"Hi"}' {url}/api/v1/email/send`,
    '  (sending profile "demo" for example.com, active; the message lands in {url}/_mailfront/messages)',
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

/** The demo's SMTP logins, one per plugin that has them (matches fixtures/demo.json). */
const SMTP_LOGINS: Record<string, { user: string; pass: string; from: string }> = {
  authsmtp: { user: 'aa12345', pass: 'demo-smtp-password', from: 'sales@example.com' },
  tmail: { user: 'toorop@tmail.io', pass: 'motdepasse', from: 'toorop@tmail.io' },
}

/** What `npm start` prints to try the submission port with swaks and with nodemailer. */
export function smtpExamples(host: string, port: number, plugins: string[], tls: boolean): string[] {
  const out: string[] = []
  const login = plugins.map((p) => SMTP_LOGINS[p]).find(Boolean)
  if (!login) return out
  out.push(
    `swaks --server ${host}:${port}${tls ? ' --tls' : ''} --auth-user ${login.user} --auth-password ${login.pass} --from ${login.from} --to you@example.org`,
    `nodemailer.createTransport({ host: '${host}', port: ${port}, ${tls ? 'requireTLS: true, tls: { rejectUnauthorized: false }, ' : ''}auth: { user: '${login.user}', pass: '${login.pass}' } })`,
  )
  for (const p of plugins) {
    const other = SMTP_LOGINS[p]
    if (other && other !== login) out.push(`  also ${other.user} / ${other.pass} (${p})`)
  }
  return out
}
