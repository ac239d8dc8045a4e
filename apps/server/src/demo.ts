import type { MailfrontPlugin } from '@mailfront/core'

/** The demo fixtures document: each plugin's demo data under its id (fixtures/demo.json is a copy). */
export function demoFixtures(plugins: readonly MailfrontPlugin[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of plugins) if (p.data?.demo) out[p.id] = p.data.demo.data
  return out
}

/** What `npm start` prints to try the submission port with swaks and with nodemailer. */
export function smtpExamples(
  host: string,
  port: number,
  plugins: readonly MailfrontPlugin[],
  tls: boolean,
): string[] {
  const out: string[] = []
  const withLogin = plugins.filter((p) => p.data?.demo?.smtpLogin)
  const login = withLogin[0]?.data?.demo?.smtpLogin
  if (!login) return out
  out.push(
    `swaks --server ${host}:${port}${tls ? ' --tls' : ''} --auth-user ${login.user} --auth-password ${login.pass} --from ${login.from} --to you@example.org`,
    `nodemailer.createTransport({ host: '${host}', port: ${port}, ${tls ? 'requireTLS: true, tls: { rejectUnauthorized: false }, ' : ''}auth: { user: '${login.user}', pass: '${login.pass}' } })`,
  )
  for (const p of withLogin.slice(1))
    out.push(`  also ${p.data!.demo!.smtpLogin!.user} / ${p.data!.demo!.smtpLogin!.pass} (${p.id})`)
  return out
}
