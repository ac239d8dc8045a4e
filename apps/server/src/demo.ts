/** What `npm start` prints when it loads the demo data (matches fixtures/demo.json). */
export const DEMO_CREDENTIALS: Record<string, string[]> = {
  authsmtp: [
    'curl -k -u aa12345:demo-api-password https://127.0.0.1:{port}/restful/basic_user/aa12345',
    '  also aa99999 / demo-api-password-2 (64-bit quantities, no dedicated IP)',
  ],
  smtpd: [
    'curl -k -X POST -u jack.truong@example.com:demo-password "https://127.0.0.1:{port}/oauth/token?grant_type=password"',
    '  API key demo-key / demo-secret (role standard)',
    `curl -k -u demo-secret: -H 'Content-Type: application/json' -d '{"from_email_address":"jack.truong@example.com","recipient_email_address":"you@example.org","subject":"Hello","content_text":"Hi"}' https://127.0.0.1:{port}/api/v1/email/send`,
    '  (sending profile "demo" for example.com, active; the message lands in /_mailfront/messages)',
  ],
  tmail: ['curl -k -u admin:admin https://127.0.0.1:{port}/users/toorop@tmail.io'],
  mailboxorg: [
    `curl -k -d '{"jsonrpc":"2.0","method":"auth","params":{"user":"test_account","pass":"123456"},"id":"1"}' https://127.0.0.1:{port}/v1/`,
    '  also demo_reseller / demo-reseller-pass, demo_admin / demo-admin-pass',
  ],
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
